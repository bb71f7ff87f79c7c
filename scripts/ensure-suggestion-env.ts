// The environment of parity tune's suggestion process (hyperopt, optuna, scikit-optimize, pinned,
// from PyPI), built before the tests so that no test waits for pip; cached under
// $PARITY_CACHE_DIR/suggestion/ (cold about 20 s, warm instant). Needs python3 with venv, which
// test/kfp/harness/ensure-kfp.sh installs when missing.
import { defaultCacheDir } from "../src/targets/cache";
import { ensureSuggestionEnv } from "../src/targets/suggestion/process";

const env = await ensureSuggestionEnv({ cacheDir: defaultCacheDir(), print: (line) => console.error(line) });
console.log(env.python);
