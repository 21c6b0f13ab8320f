#!/usr/bin/env python3
# Checks scenario files against scenarios/scenario.schema.json (and, for broken ones, the loader too).
"""Usage:
  validate.py SCHEMA --valid FILE_OR_DIR...
      every *.json (directories: recursively, except *.schema.json) must match the schema.
  validate.py SCHEMA --invalid FILE POINTER [--mailsim EXE]
      FILE must NOT match the schema, with an error at JSON pointer POINTER (or below it);
      with --mailsim, `mailsim check FILE` must also refuse it (exit 2) naming POINTER.
  validate.py SCHEMA --analogy STATIONS_JSON EN_JSON
      the schema's list of analogy keys is exactly the situations of the asset tables.

Exit codes: 0 all well, 1 a check failed, 77 python3-jsonschema is not installed (skipped).
"""
import json
import os
import subprocess
import sys

SKIP = 77

try:
    import jsonschema
except ImportError:
    print("SKIP: the python module jsonschema is missing (Debian: apt-get install python3-jsonschema)")
    sys.exit(SKIP)


def pointer(path):
    """A deque of keys/indices -> a JSON pointer such as /hosts/3/mail_server/users/0."""
    out = ""
    for part in path:
        out += "/" + str(part).replace("~", "~0").replace("/", "~1")
    return out


def explain(error):
    """One line for an error; for anyOf/oneOf the most relevant reason is added."""
    msg = error.message
    if error.context:
        # the reason from the branch that got furthest; "is not of type" only as a last resort
        deepest = max(error.context, key=lambda e: (e.validator != "type", len(e.absolute_path), -len(e.message)))
        sub = pointer(deepest.absolute_path)
        msg += " [e.g. " + (sub + ": " if sub else "") + deepest.message + "]"
    return msg


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def make_validator(schema_path):
    schema = load_json(schema_path)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def errors_of(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))


def collect(args):
    files = []
    for a in args:
        if os.path.isdir(a):
            for root, dirs, names in os.walk(a):
                dirs.sort()
                for n in sorted(names):
                    if n.endswith(".json") and not n.endswith(".schema.json"):
                        files.append(os.path.join(root, n))
        else:
            files.append(a)
    return files


def check_valid(validator, args):
    files = collect(args)
    if not files:
        print("no scenario files found in " + " ".join(args))
        return 1
    bad = 0
    for f in files:
        try:
            doc = load_json(f)
        except (OSError, ValueError) as e:
            print(f"{f}: cannot read JSON: {e}")
            bad += 1
            continue
        errs = errors_of(validator, doc)
        for e in errs:
            print(f"{f}: {pointer(e.absolute_path) or '/'}: {explain(e)}")
        bad += 1 if errs else 0
    print(f"{len(files) - bad} of {len(files)} scenario file(s) match the schema")
    return 1 if bad else 0


def under(ptr, want):
    return ptr == want or ptr.startswith(want.rstrip("/") + "/") or want == "/"


def check_invalid(validator, f, want, mailsim):
    doc = load_json(f)
    errs = errors_of(validator, doc)
    if not errs:
        print(f"{f}: the schema accepted it, but it is broken at {want}")
        return 1
    ptrs = [pointer(e.absolute_path) or "/" for e in errs]
    for e, p in zip(errs, ptrs):
        print(f"schema: {f}: {p}: {explain(e)}")
    status = 0
    if not any(under(p, want) for p in ptrs):
        print(f"{f}: expected a schema error at {want}, got them at {', '.join(ptrs)}")
        status = 1
    if mailsim:
        r = subprocess.run([mailsim, "check", f], capture_output=True, text=True)
        out = r.stdout + r.stderr
        print("loader: " + out.strip())
        if r.returncode != 2:
            print(f"{f}: `mailsim check` exited {r.returncode}, expected 2 (the loader accepts what the schema refuses)")
            status = 1
        elif (": " + want) not in out and (": " + want + "/") not in out:
            print(f"{f}: `mailsim check` did not name {want}")
            status = 1
    return status


def check_analogy(validator, stations_path, en_path):
    listed = validator.schema["$defs"]["narration_step"]["properties"]["analogy"]["enum"]
    stations = set(load_json(stations_path))
    texts = set()
    for k in load_json(en_path):
        for suffix in (".title", ".text"):
            if k.endswith(suffix) and not k.startswith("analogy."):
                texts.add(k[: -len(suffix)])
    status = 0
    for name, keys in (("stations.json", stations), ("en.json", texts)):
        if set(listed) != keys:
            print(f"analogy keys differ from {name}: missing in schema {sorted(keys - set(listed))}, "
                  f"unknown to {name} {sorted(set(listed) - keys)}")
            status = 1
    if status == 0:
        print(f"{len(listed)} analogy keys agree with the asset tables")
    return status


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    validator = make_validator(argv[1])
    mode, rest = argv[2], argv[3:]
    if mode == "--valid":
        return check_valid(validator, rest)
    if mode == "--invalid" and len(rest) in (2, 4):
        mailsim = rest[3] if len(rest) == 4 and rest[2] == "--mailsim" else None
        return check_invalid(validator, rest[0], rest[1], mailsim)
    if mode == "--analogy" and len(rest) == 2:
        return check_analogy(validator, rest[0], rest[1])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
