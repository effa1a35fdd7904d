import {join} from 'node:path';
import {rmSync} from 'node:fs';
import {createClusterClient} from '../../cluster/client.js';
import {readAdminCredentials} from '../../cluster/admin-credentials.js';
import {CONTROL_PLANE} from '../../cluster/services.js';
import {formatError, UserError} from '../../errors.js';
import {EXIT} from '../../exit-codes.js';
import type {Profile, ProfileNode} from '../../profile/schema.js';
import type {ShellCommand} from '../../remote/shell.js';
import type {Transport} from '../../remote/transport.js';
import {isWholeCluster, judgeReset, judgeStackedReset, resetPrompt, resetScript, resetTargets, type ResetTarget} from '../../run/reset/reset-plan.js';
import {MEMBER_BOOTSTRAP_FILE} from '../../etcd/member-bootstrap.js';
import {clearRestoreJournal} from '../../run/etcd-restore/restore-journal.js';
import {installedNodesFile, nodesLeftProfile} from '../../state/installed-nodes-file.js';
import {defaultStateDir} from '../../state/state-dir.js';
import {askYes} from '../shared/ask-yes.js';
import {lockingConnect} from '../shared/cluster-lock.js';
import {connectNode, type NodeAccessOptions} from '../shared/connect.js';
import {loadProfileFromOptions} from '../shared/load-profile.js';
import {connectTimeoutMs, profileChoice, type ProfileChoice} from '../shared/option-values.js';
import {lockStateDir} from '../shared/state-lock.js';
import {handleStopSignals} from '../shared/stop-signals.js';

export interface ResetOptions extends ProfileChoice, NodeAccessOptions {
	stateDir?: string;
	node?: string[];
	purge?: boolean;
	yes?: boolean;
}

export function resetOptions(raw: Record<string, unknown>): ResetOptions {
	const node = (raw.node as string[] | undefined)?.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
	return {...(raw as unknown as ResetOptions), ...profileChoice(raw as ProfileChoice), ...(node ? {node} : {}), connectTimeoutMs: connectTimeoutMs(raw)};
}

export async function runReset(options: ResetOptions): Promise<number> {
	const profile = await loadProfileFromOptions(options);
	const stateDir = options.stateDir ?? defaultStateDir(profile.name);
	const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
	if (!options.yes && !interactive) throw new UserError('reset needs --yes when it cannot ask (no terminal)', 'add --yes once you are sure which nodes it names');
	const lock = lockStateDir(stateDir, 'reset');
	const stop = handleStopSignals({stopping: 'stopping: nodes already being reset finish'});
	try {
		const installed = installedNodesFile(stateDir);
		const departed = nodesLeftProfile(installed.recorded, profile.nodes).map((n) => ({...profile.nodes[0]!, name: n.name, ip: n.ip, ssh: undefined}) as ProfileNode);
		const targets = resetTargets(profile, departed, options.node);
		if ('problem' in targets) throw new UserError(targets.problem, targets.hint);
		// Before the readiness probes: a stacked member is never stopped alone, whatever serves.
		const stacked = judgeStackedReset(profile, targets);
		if (stacked) throw new UserError(stacked.problem, `${stacked.hint}; nothing was changed`);
		const problem = judgeReset(profile, targets, await readiness(profile, stateDir, targets));
		if (problem) throw new UserError(problem.problem, `${problem.hint}; nothing was changed`);
		const purge = options.purge === true;
		const wholeCluster = isWholeCluster(profile, targets);
		const prompt = resetPrompt(profile, targets, purge);
		for (const line of prompt.plan) process.stderr.write(`${line}\n`);
		if (!options.yes) {
			const answer = await askYes(prompt.question, stop);
			if (answer !== 'yes') {
				process.stderr.write(answer === 'interrupted' ? '\ninterrupted; nothing was changed\n' : 'nothing was changed\n');
				return answer === 'interrupted' ? EXIT.interrupted : EXIT.ok;
			}
		}
		const locking = lockingConnect((node) => connectNode(profile, node, options, stop.signal), 'exclusive', 'reset');
		const script = resetScript(profile, {purge, withEtcd: wholeCluster});
		const results = await Promise.all(targets.map((t) => resetNode(t, script, locking.connect)));
		const done = results.filter((r) => r.ok).map((r) => r.node);
		for (const r of results) process.stdout.write(r.ok ? `${r.node}: reset (${r.removed} files and directories removed)\n` : `${r.node}: ✗ ${r.error}\n`);
		// Reset nodes are forgotten: the next apply installs them as new ones.
		if (done.length > 0) installed.forget(done);
		// A stacked etcd reset on every master is gone: the next install founds a new cluster (member-bootstrap.ts).
		if (wholeCluster && profile.etcd.mode === 'stacked' && done.length === results.length) {
			rmSync(join(stateDir, MEMBER_BOOTSTRAP_FILE), {force: true});
			clearRestoreJournal(stateDir);
		}
		if (done.length < results.length) return locking.refusedNodes().length > 0 ? EXIT.invalid : EXIT.failed;
		return EXIT.ok;
	} finally {
		stop.dispose();
		lock.release();
	}
}

async function resetNode(target: ResetTarget, script: ShellCommand, connect: (n: ProfileNode) => Promise<Transport>): Promise<{node: string; ok: boolean; removed?: number; error?: string}> {
	const node = target.node.name;
	try {
		const transport = await connect(target.node);
		try {
			const r = await transport.exec(script, {timeoutMs: 120_000});
			if (r.code !== 0) return {node, ok: false, error: `the reset script failed (exit ${r.code}): ${r.stderr.trim().slice(-300)}`};
			return {node, ok: true, removed: r.stdout.split('\n').filter((l) => l.startsWith('removed ')).length};
		} finally {
			await transport.close().catch(() => undefined);
		}
	} catch (error) {
		return {node, ok: false, error: formatError(error).split('\n')[0] ?? 'failed'};
	}
}

/** /readyz of every profile node not being reset (undefined credentials: none ready is assumed). */
async function readiness(profile: Profile, stateDir: string, targets: readonly ResetTarget[]): Promise<Map<string, boolean>> {
	const reset = new Set(targets.map((t) => t.node.name));
	const others = profile.nodes.filter((n) => !reset.has(n.name));
	const ready = new Map<string, boolean>();
	if (others.length === 0) return ready;
	let client;
	try {
		client = createClusterClient(readAdminCredentials(profile, stateDir), 3000);
	} catch {
		return ready;
	}
	try {
		await Promise.all(others.map(async (n) => ready.set(n.name, (await client.health('kube-apiserver', {host: n.ip, port: CONTROL_PLANE['kube-apiserver'].port})).state === 'ok')));
	} finally {
		client.close();
	}
	return ready;
}
