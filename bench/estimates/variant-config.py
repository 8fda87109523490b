"""Prints a mcpbench config: rmcp-hand, mcpgen, variant builds of the generated server, and the TypeScript SDK.

    python3 bench/estimates/variant-config.py BENCH_DIR VARIANT BINARY [VARIANT BINARY...] > config.toml

The estimate scripts (parse-estimate.sh, current-thread.sh, stateless-estimate.sh) compare variants with the
generated server this way. Command lines come from BENCH_DIR/contenders.toml, read as bench/callgrind.sh reads
them: an argument with a `/` that is not absolute is relative to BENCH_DIR and made absolute, so the config may
live anywhere. A variant runs mcpgen's command lines with its own binary.
"""
import json
import os
import sys
import tomllib

bench = sys.argv[1]
variants = list(zip(sys.argv[2::2], sys.argv[3::2]))
if not variants or len(sys.argv) % 2:
    sys.exit(__doc__)
with open(os.path.join(bench, "contenders.toml"), "rb") as f:
    contenders = {c["name"]: c for c in tomllib.load(f)["contender"]}
COMMANDS = ("stdio", "stateless", "stateful")


def absolute(argv):
    return [os.path.join(bench, a) if "/" in a and not a.startswith("/") else a for a in argv]


def emit(name, commands):
    # JSON strings and arrays of them are valid TOML.
    print("[[contender]]\nname = %s" % json.dumps(name))
    for key in COMMANDS:
        print("%s = %s" % (key, json.dumps(commands[key])))
    print()


for name in ("rmcp-hand", "mcpgen", "ts-sdk"):
    commands = {key: absolute(contenders[name][key]) for key in COMMANDS}
    emit(name, commands)
    if name == "mcpgen":
        for variant, binary in variants:
            emit(variant, {key: [binary] + argv[1:] for key, argv in commands.items()})
