"""The audit log: every write and every read of a patient's record, hash-chained per chain."""
