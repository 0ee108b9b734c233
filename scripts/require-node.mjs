// Runs before every npm script. Kept to syntax that old Node versions can parse, so that
// the learner sees one clear line instead of a stack trace from a newer dependency.
var required = [22, 12];
// FAULTLINES_PRETEND_NODE lets the tests check the message without installing an old Node.
var version = process.env.FAULTLINES_PRETEND_NODE || process.versions.node;
var parts = version.split('.').map(Number);
var ok = parts[0] > required[0] || (parts[0] === required[0] && parts[1] >= required[1]);
if (!ok) {
  console.error(
    'Fault Lines needs Node.js >= ' + required.join('.') + ' (this is v' + version +
      '). Install it from https://nodejs.org or with `nvm install` (the repo has an .nvmrc), then run the command again.'
  );
  process.exit(1);
}
