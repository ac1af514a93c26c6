-- PostgreSQL's follow counters now lock both accounts' rows in id order (crossing follows
-- deadlocked there). SQLite runs one writing transaction at a time: nothing to change.
SELECT 1;
