"""Validates a JUnit XML file against junit-10.xsd (the schema Jenkins reads, from pytest's sdist).

Usage: junit_validate.py REPORT.xml [SCHEMA.xsd]
Prints {"valid": true, "testsuites": N, "testcases": M} or {"valid": false, "error": "..."}; exit 0 or 1.
"""
import json
import os
import sys

import xmlschema

report = sys.argv[1]
schema_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(sys.prefix, "share", "junit-10.xsd")
schema = xmlschema.XMLSchema(schema_path)
try:
    schema.validate(report)
except xmlschema.XMLSchemaException as error:
    print(json.dumps({"valid": False, "error": str(error)[:2000]}))
    sys.exit(1)
tree = schema.to_dict(report)
suites = tree.get("testsuite", [])
print(json.dumps({"valid": True, "testsuites": len(suites), "testcases": sum(len(s.get("testcase", [])) for s in suites)}))
