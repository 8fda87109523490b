"""Prints a mcpbench config: rmcp-hand, mcpgen, a variant build of the generated server, and the TypeScript SDK.

    python3 variant-config.py BENCH_DIR VARIANT_NAME VARIANT_BINARY > config.toml

The estimate scripts (parse-estimate.sh, current-thread.sh) compare a variant with the generated server this way;
command lines come from contenders.toml with paths made absolute, so the config may live anywhere.
"""
import re
import sys

bench, variant, binary = sys.argv[1:4]
blocks = open(bench + "/contenders.toml").read().split("[[contender]]")[1:]
for block in blocks:
    block = block.split("\n#")[0].rstrip() + "\n"
    name = re.search(r'name = "([^"]+)"', block).group(1)
    if name not in ("rmcp-hand", "mcpgen", "ts-sdk"):
        continue
    block = block.replace('"target/', '"%s/target/' % bench).replace('"ts/', '"%s/ts/' % bench)
    print("[[contender]]" + block)
    if name == "mcpgen":
        block = block.replace('"mcpgen"', '"%s"' % variant)
        print("[[contender]]" + block.replace(bench + "/target/release/benchgen", binary))
