"""Two independent 4-second lightweight components and a join, as a KFP pipeline.

python join.py compile <base image> <out.yaml>   compiles it with kfp's compiler
python join.py local <base image> <root>         runs it with kfp.local's DockerRunner; prints its seconds
"""
import json
import sys
import time

from kfp import compiler, dsl, local

BASE = sys.argv[2]


@dsl.component(base_image=BASE)
def left() -> int:
    import time

    time.sleep(4)
    return 1


@dsl.component(base_image=BASE)
def right() -> int:
    import time

    time.sleep(4)
    return 2


@dsl.component(base_image=BASE)
def join(a: int, b: int) -> int:
    return a + b


@dsl.pipeline(name="join")
def join_pipeline():
    join(a=left().output, b=right().output)


if sys.argv[1] == "compile":
    compiler.Compiler().compile(join_pipeline, sys.argv[3])
else:
    local.init(runner=local.DockerRunner(), pipeline_root=sys.argv[3])
    started = time.monotonic()
    join_pipeline()
    print(json.dumps({"seconds": time.monotonic() - started}))
