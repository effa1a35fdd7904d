import type {z} from 'zod';
import {ProfileSchema} from '../../profile/schema.js';
import {getValue, toProfileInput, type Draft} from './draft.js';
import {STEPS, type StepId} from './steps.js';

/**
 * Validation is ProfileSchema's, never a copy: the draft becomes a candidate profile
 * (steps not reached yet get known-valid stand-ins) and every issue is keyed by its
 * path, `nodes.1.ip`, which is also the wizard's field key. Beside the schema, what only
 * this machine can tell (ValidationContext): whether the local paths exist, whether the
 * version matches the binaries' own release, and what the final check of the whole
 * profile (the loader's, with the files read) reported for a value still as it was.
 */
export type Issues = ReadonlyMap<string, string>;

/** Local paths a profile names, checked on their own screen (they must exist on this machine). */
export const LOCAL_PATH_KEYS = ['binaries', 'etcd.binaries', 'ssh.identityFile', 'pki.caCert', 'pki.caKey'] as const;
export type LocalPathKey = (typeof LOCAL_PATH_KEYS)[number];

export interface ValidationContext {
	/** Why a local path is unusable ("does not exist"), or undefined; an I/O edge, given by the caller. */
	pathProblem?: (key: LocalPathKey, path: string) => string | undefined;
	/** The release read from the binaries at `path` (e.g. v1.37.2). */
	release?: {path: string; release: string};
	/** Problems the final check found, each for the value the field had then. */
	reported?: Readonly<Record<string, {value: string; message: string}>>;
}

export function validateDraft(draft: Draft, order: readonly StepId[], upTo: number, context: ValidationContext = {}): Issues {
	const filler = new Set<string>();
	for (const id of order.slice(upTo + 1)) for (const key of STEPS[id].owns) filler.add(key);
	const issues = schemaIssues(draft, filler);
	const reached = (key: string) => !filler.has(key);
	const shown = new Set(order.slice(0, upTo + 1).flatMap((id) => STEPS[id].fields(draft).map((f) => f.key)));
	for (const key of LOCAL_PATH_KEYS) {
		if (!reached(key) || !shown.has(key) || issues.has(key) || !context.pathProblem) continue;
		const path = getValue(draft, key).trim();
		const problem = context.pathProblem(key, path);
		if (problem !== undefined) issues.set(key, `${path} ${problem}`);
	}
	const release = context.release;
	const minor = release && /^v?(\d+\.\d+)/.exec(release.release)?.[1];
	const version = getValue(draft, 'kubernetesVersion').trim();
	if (minor && reached('kubernetesVersion') && !issues.has('kubernetesVersion') && release.path === getValue(draft, 'binaries').trim() && version !== minor) {
		issues.set('kubernetesVersion', `the binaries are ${release.release}: set ${minor}, or give the binaries of ${version}`);
	}
	for (const [key, reported] of Object.entries(context.reported ?? {})) {
		if (!issues.has(key) && getValue(draft, key).trim() === reported.value) issues.set(key, reported.message);
	}
	return issues;
}

function schemaIssues(draft: Draft, filler: ReadonlySet<string>): Map<string, string> {
	const candidate = toProfileInput(draft, {filler});
	const issues = new Map<string, string>();
	// ProfileSchema's cross-field rule calls cidrContains(range, node.ip) without checking
	// the IP first, and ip-address throws on an invalid one. Until the schema guards it,
	// node IPs that fail their own rule are validated alone and stand in as unique,
	// harmless addresses for the whole-profile check.
	const nodeSchema = ProfileSchema.shape.nodes.def.element;
	const stand = candidate.nodes.map((node, i) => {
		const ip = nodeSchema.shape.ip.safeParse(node.ip);
		if (ip.success) return node;
		issues.set(`nodes.${i}.ip`, messageOf(ip.error.issues[0]!));
		return {...node, ip: `198.51.100.${(i % 250) + 1}`};
	});
	let result: ReturnType<typeof ProfileSchema.safeParse>;
	try {
		result = ProfileSchema.safeParse({...candidate, nodes: stand});
	} catch (error) {
		issues.set('', `cannot validate: ${error instanceof Error ? error.message : String(error)}`);
		return issues;
	}
	if (result.success) return issues;
	for (const issue of result.error.issues) {
		const path = issue.path.map(String).join('.');
		if (!issues.has(path)) issues.set(path, messageOf(issue));
	}
	return issues;
}

/** Plainer wording for zod's generic messages; the schema's own messages pass through. */
function messageOf(issue: z.core.$ZodIssue): string {
	if (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) === 1) return 'is required';
	if (issue.code === 'invalid_type' && issue.expected === 'number') return 'must be a number';
	if (issue.code === 'too_small' && issue.origin === 'number') return `must be at least ${String(issue.minimum)}`;
	if (issue.code === 'too_big' && issue.origin === 'number') return `must be at most ${String(issue.maximum)}`;
	return issue.message;
}

/** The loader's field names (`nodes[1].ip (line 3)`) as the wizard's keys (`nodes.1.ip`). */
export function fieldKeyOf(field: string): string {
	return field.replace(/ \(line \d+\)$/, '').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

/** The message for a field: its own path, or an element of it (`etcd.endpoints.1` → "entry 2: …"). */
export function issueFor(issues: Issues, key: string): string | undefined {
	const own = issues.get(key);
	if (own !== undefined) return own;
	for (const [path, message] of issues) {
		if (path.startsWith(key + '.')) {
			const rest = path.slice(key.length + 1);
			return /^\d+$/.test(rest) ? `entry ${Number(rest) + 1}: ${message}` : `${rest}: ${message}`;
		}
	}
	return undefined;
}

/** Issues that belong to a step's fields (for nodes: the list itself and every node field). */
export function stepIssueKeys(issues: Issues, step: StepId, draft: Draft): string[] {
	const spec = STEPS[step];
	const keys: string[] = [];
	for (const own of spec.owns) {
		if (own === 'nodes') {
			if (issues.has('nodes')) keys.push('nodes');
			draft.nodes.forEach((_, i) => {
				for (const f of ['name', 'ip']) if (issueFor(issues, `nodes.${i}.${f}`) !== undefined) keys.push(`nodes.${i}.${f}`);
			});
		} else if (issueFor(issues, own) !== undefined) keys.push(own);
	}
	// Issues of fields this step does not show (e.g. pki.caKey when "create") cannot be fixed here.
	const shown = new Set(spec.fields(draft).map((f) => f.key));
	return keys.filter((k) => k === 'nodes' || shown.has(k));
}
