// Parses the body of kube-apiserver `/readyz?verbose` (or `/livez?verbose`):
//
//     [+]ping ok
//     [-]etcd failed: reason withheld
//     [+]poststarthook/start-apiextensions-controllers ok
//     readyz check failed
//
// Returns every check with its state; `failingChecks` keeps the `[-]` ones in order.

/** A failing check (the status JSON's ReadyzCheck has this shape). */
export interface ReadyzCheck {
	name: string;
	reason: string | null;
}

export interface ParsedReadyz {
	checks: Array<{name: string; ok: boolean; reason: string | null}>;
	failingChecks: ReadyzCheck[];
}

const LINE = /^\[([+-])\]([^\s]+)\s+(ok|failed|excluded)(?::\s*(.*))?$/;

export function parseReadyzVerbose(body: string): ParsedReadyz {
	const checks: ParsedReadyz['checks'] = [];
	for (const raw of body.split(/\r?\n/)) {
		const m = LINE.exec(raw.trim());
		if (!m) continue;
		const ok = m[1] === '+';
		const reason = m[4]?.trim() || null;
		checks.push({name: m[2]!, ok, reason: ok ? null : reason});
	}
	return {
		checks,
		failingChecks: checks.filter((c) => !c.ok).map((c) => ({name: c.name, reason: c.reason})),
	};
}
