"""Prints a mcpbench config: rmcp-hand, mcpgen, variant builds of the generated server, and the TypeScript SDK.

    python3 variant-config.py BENCH_DIR VARIANT_NAME VARIANT_BINARY [VARIANT_NAME VARIANT_BINARY...] > config.toml

The estimate scripts (parse-estimate.sh, current-thread.sh, stateless-estimate.sh) compare variants with the
generated server this way; command lines come from contenders.toml with paths made absolute, so the config may live
anywhere.
"""
import re
import sys

bench = sys.argv[1]
variants = list(zip(sys.argv[2::2], sys.argv[3::2]))
if not variants or len(sys.argv) % 2:
    sys.exit(__doc__)
blocks = open(bench + "/contenders.toml").read().split("[[contender]]")[1:]
for block in blocks:
    block = block.split("\n#")[0].rstrip() + "\n"
    name = re.search(r'name = "([^"]+)"', block).group(1)
    if name not in ("rmcp-hand", "mcpgen", "ts-sdk"):
        continue
    block = block.replace('"target/', '"%s/target/' % bench).replace('"ts/', '"%s/ts/' % bench)
    print("[[contender]]" + block)
    if name == "mcpgen":
        for variant, binary in variants:
            variant_block = block.replace('"mcpgen"', '"%s"' % variant)
            print("[[contender]]" + variant_block.replace(bench + "/target/release/benchgen", binary))
