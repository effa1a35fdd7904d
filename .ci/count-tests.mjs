// Prints how many tests each suite ran, from a vitest JSON report (--reporter=json
// --outputFile=F), and exits 1 when a named suite ran none: vitest exits 0 when every
// test was skipped, so a CI run that could not run a suite would otherwise be green.
// A suite is the folder under test/ (unit, ui, integration, e2e), as in vitest.config.ts.
// Usage: node .ci/count-tests.mjs REPORT.json SUITE...
import {readFileSync} from 'node:fs';
import {relative} from 'node:path';

const [reportPath, ...suites] = process.argv.slice(2);
if (!reportPath || suites.length === 0) {
	console.error('usage: node .ci/count-tests.mjs REPORT.json SUITE...');
	process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const counts = new Map(suites.map((s) => [s, {files: 0, passed: 0, failed: 0, skipped: 0}]));
for (const file of report.testResults ?? []) {
	const suite = relative(process.cwd(), file.name).split('/')[1];
	const c = counts.get(suite);
	if (!c) continue;
	c.files++;
	// A file that failed before any test ran (an import that threw) has no results but is a failure.
	if (file.assertionResults.length === 0 && file.status === 'failed') c.failed++;
	for (const t of file.assertionResults) {
		if (t.status === 'passed') c.passed++;
		else if (t.status === 'failed') c.failed++;
		else c.skipped++;
	}
}
let ok = true;
for (const [suite, c] of counts) {
	const ran = c.passed + c.failed;
	console.log(`::: suite ${suite}: ran ${ran} tests in ${c.files} files (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)`);
	if (ran === 0) {
		console.error(`::: suite ${suite} ran no tests: a suite that runs nothing tests nothing (see the skip reasons above)`);
		ok = false;
	}
}
process.exit(ok ? 0 : 1);
