// Every entry point of likeness: mod.ts and each folder's mod.ts (tests/import_test.ts checks
// that this list is complete).
import "../../mod.ts";
import "../../lib/backbones/mod.ts";
import "../../lib/backend/mod.ts";
import "../../lib/backend/native/mod.ts";
import "../../lib/branches/mod.ts";
import "../../lib/compile/mod.ts";
import "../../lib/data/augment/mod.ts";
import "../../lib/data/mod.ts";
import "../../lib/distances/mod.ts";
import "../../lib/embedder/mod.ts";
import "../../lib/export/mod.ts";
import "../../lib/gallery/mod.ts";
import "../../lib/losses/learned/mod.ts";
import "../../lib/losses/mod.ts";
import "../../lib/metrics/mod.ts";
import "../../lib/miners/mod.ts";
import "../../lib/protocols/mod.ts";
import "../../lib/report/mod.ts";
import "../../lib/samplers/mod.ts";
import "../../lib/train/mod.ts";
import "../../tools/compare.ts";
