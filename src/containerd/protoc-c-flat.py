#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run protoc's protobuf-c plugin on the containerd API .proto files at build time and write
the results as flat file names.

protoc-c writes github.com/containerd/containerd/api/services/tasks/v1/tasks.pb-c.{c,h} and
includes headers by that path; meson wants every output of a target directly in its output
directory. So protoc writes into a private directory, and each file is copied to its flat name
(the virtual path with '/' turned into '_', see flat_name()) with its #include lines rewritten
to the flat names. meson.build computes the same names for its output list.

usage: protoc-c-flat.py PROTOC OUTDIR PRIVATEDIR [-P PROTOC-GEN-C] -I DIR [-I DIR...] -- VIRTUAL.proto...
"""

import os
import re
import subprocess
import sys

PREFIX = "github.com/containerd/containerd/"


def flat_name(virtual):
    """api/services/tasks/v1/tasks.proto -> api_services_tasks_v1_tasks (no suffix)."""
    if virtual.startswith(PREFIX):
        virtual = virtual[len(PREFIX):]
    assert virtual.endswith(".proto"), virtual
    return virtual[: -len(".proto")].replace("/", "_").replace(".", "_")


def main(argv):
    protoc, outdir, privdir = argv[1:4]
    rest = argv[4:]
    sep = rest.index("--")
    opts, protos = rest[:sep], rest[sep + 1:]
    includes = [opts[i + 1] for i in range(0, len(opts), 2) if opts[i] == "-I"]
    plugins = [opts[i + 1] for i in range(0, len(opts), 2) if opts[i] == "-P"]

    os.makedirs(privdir, exist_ok=True)
    cmd = [protoc] + ["-I" + d for d in includes] + ["--plugin=protoc-gen-c=" + p for p in plugins]
    cmd += ["--c_out=" + privdir] + protos
    r = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    # protoc warns about unused weak gogo imports; only show its output on failure
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.stderr.write("protoc-c-flat: protoc failed: %s\n" % " ".join(cmd))
        return 1

    header_map = {}
    for p in protos:
        base = p[: -len(".proto")]
        header_map[base + ".pb-c.h"] = flat_name(p) + ".pb-c.h"

    include_re = re.compile(r'^#include "([^"]+)"', re.M)

    def fix(m):
        inc = m.group(1)
        if inc not in header_map:
            raise SystemExit("protoc-c-flat: generated code includes %s, which is not in the "
                             "list of protos to generate (add it to meson.build)" % inc)
        return '#include "%s"' % header_map[inc]

    for p in protos:
        base = p[: -len(".proto")]
        for ext in (".pb-c.c", ".pb-c.h"):
            with open(os.path.join(privdir, base + ext)) as f:
                text = f.read()
            text = include_re.sub(fix, text)
            out = os.path.join(outdir, flat_name(p) + ext)
            tmp = out + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
