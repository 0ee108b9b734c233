// Runs before every npm script (and in .ci/run, to decide whether to install Node). Kept to
// syntax that old Node versions can parse, so that the learner sees one clear line instead
// of a stack trace from a newer dependency.
//
// The range is `engines.node` in package.json, the one place it is written. It is the
// intersection of what the installed dependencies declare: undici (through astro) wants
// >=22.19, Babel 8 (through StrykerJS) ^22.18 || >=24.11, and @inquirer/* (StrykerJS's
// prompts) ^22.22.2 || ^24.15.0 || >=26.0.0, which is the strictest. Only the two forms
// that range uses are understood: `^x.y.z` (same major, at least x.y.z) and `>=x.y.z`,
// joined by `||`.
import { readFileSync } from 'fs';

var pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
var range = pkg.engines.node;

function parse(version) {
  var parts = version.replace(/^v/, '').split('.').map(Number);
  return [parts[0] || 0, parts[1] || 0, parts[2] || 0];
}

function compare(a, b) {
  for (var i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function satisfies(version, alternatives) {
  var v = parse(version);
  return alternatives.split('||').some(function (alternative) {
    var text = alternative.trim();
    if (text.indexOf('>=') === 0) return compare(v, parse(text.slice(2))) >= 0;
    if (text.indexOf('^') === 0) {
      var low = parse(text.slice(1));
      return v[0] === low[0] && compare(v, low) >= 0;
    }
    throw new Error('scripts/require-node.mjs cannot read "' + text + '" in engines.node of package.json');
  });
}

/** "^22.22.2 || >=26.0.0" reads as "22.22.2 or a later 22.x, or 26.0.0 or later". */
function describe(alternatives) {
  var parts = alternatives.split('||').map(function (alternative) {
    var text = alternative.trim();
    if (text.indexOf('^') === 0) return text.slice(1) + ' or a later ' + parse(text.slice(1))[0] + '.x';
    return text.slice(2) + ' or later';
  });
  return parts.length > 1 ? parts.slice(0, -1).join(', ') + ', or ' + parts[parts.length - 1] : parts[0];
}

// FAULTLINES_PRETEND_NODE lets the tests check the message without installing an old Node.
var version = process.env.FAULTLINES_PRETEND_NODE || process.versions.node;
if (!satisfies(version, range)) {
  console.error(
    'Fault Lines needs Node.js ' + describe(range) + ' (this is v' + version + '). ' +
      'Install it with `nvm install` (the repo has an .nvmrc) or `npm install --prefix ~/.local/node22 node@22` ' +
      '(see the README), then run the command again.'
  );
  process.exit(1);
}
