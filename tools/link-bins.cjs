// `npm ci` links the bins of dependencies into node_modules/.bin, never the project's own: link ours after
// the build (prepare), so `node_modules/.bin/offthegrid-migrate` and `npx offthegrid-db` work in a checkout.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const { bin } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const binDir = path.join(root, "node_modules", ".bin");
fs.mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(bin)) {
  const file = path.join(root, target);
  if (!fs.existsSync(file)) throw new Error(`${target} was not built: run npm run build`);
  fs.chmodSync(file, 0o755);
  const link = path.join(binDir, name);
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.relative(binDir, file), link);
}
