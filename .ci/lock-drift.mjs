// Compares the committed package-lock.json with the one `npm install` just wrote, ignoring
// optional packages built for another platform: the registry this project installs from
// sometimes answers 404 for them and sometimes does not, so their entries come and go
// between installs without any change to what this machine runs. Anything else that
// changed is real drift; it is printed and the exit code is 1.
//   node .ci/lock-drift.mjs <committed lock> <installed lock>
import { readFileSync } from 'node:fs';

const [committedPath, installedPath] = process.argv.slice(2);
const foreign = (entry) =>
  entry.optional === true &&
  ((entry.os && !entry.os.includes(process.platform)) || (entry.cpu && !entry.cpu.includes(process.arch)));
const relevant = (path) => {
  const packages = JSON.parse(readFileSync(path, 'utf8')).packages ?? {};
  return Object.fromEntries(Object.entries(packages).filter(([, entry]) => !foreign(entry)));
};
const [committed, installed] = [relevant(committedPath), relevant(installedPath)];
const drift = [...new Set([...Object.keys(committed), ...Object.keys(installed)])].filter(
  (name) => JSON.stringify(committed[name]) !== JSON.stringify(installed[name]),
);
for (const name of drift) console.error(`package-lock.json drift: ${name || '(root)'}`);
process.exit(drift.length > 0 ? 1 : 0);
