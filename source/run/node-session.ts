import type {Profile, ProfileNode} from '../profile/schema.js';
import type {NodePlan, ServiceName} from '../plan/types.js';
import {sh, shJoin, type ShellCommand} from '../remote/shell.js';
import type {ContentFile, Transport, UploadOptions, UploadSource} from '../remote/transport.js';
import type {RemoteState} from './changes.js';
import {GENERATIONS_DIR, keepScript, restoreScript, type Generation} from './generations.js';
import {gatherPreflight, type PreflightFacts} from './preflight.js';
import {recordRemoteHashes} from './remote-hashes.js';
import {appliedMarkerPath, APPLIED_DIR, readRemoteState} from './remote-state.js';
import {StepError, tail} from './step-error.js';

/**
 * What the runner does on a node, as typed operations: the runner and its schedulers
 * call these, never a shell. Implemented once over the SSH transport (nodeSession
 * below), whose scripts keep tests that run them in a real sh and against real sshd and
 * systemd (test/integration, the lab); the runner's unit tests implement it in memory.
 */
export interface NodeSession {
	readonly node: string;
	/** Read-only facts for the preflight (preflight.ts judges them). */
	preflight(profile: Profile, node: ProfileNode): Promise<PreflightFacts>;
	/** The planned files' hashes and the services' state; hashMisses: files hashed in full. */
	readState(plan: NodePlan): Promise<RemoteState & {hashMisses: number}>;
	/** A small remote file (for a dry run's diff). Undefined if absent. */
	readFile(path: string): Promise<Buffer | undefined>;
	ensureDirectories(directories: ReadonlyArray<{path: string; mode: number}>): Promise<void>;
	/** Atomic placement (temporary name, mode, owner, rename), as Transport.upload. */
	upload(source: UploadSource, targetPath: string, options: UploadOptions): Promise<void>;
	/** Several small files in one round trip, when the connection can. */
	uploadMany?(files: readonly ContentFile[]): Promise<void>;
	/** Reload systemd if the unit changed on disk, enable, and restart without waiting. */
	restart(service: ManagedUnit): Promise<void>;
	enable(service: ManagedUnit): Promise<void>;
	/** Stop and disable the service (a node rolled back to having none of it). */
	stop(service: ManagedUnit): Promise<void>;
	/** Removes a directory and what it holds (a removed etcd member's data dir: it must never start again). */
	removeDirectory?(path: string): Promise<void>;
	unitState(service: ManagedUnit): Promise<UnitState>;
	journalTail(service: ManagedUnit, lines?: number): Promise<string>;
	/** Records the input digest a service now runs with (read back by readState). */
	markApplied(service: ManagedUnit, digest: string): Promise<void>;
	/** Keeps the current content of `paths` (absent ones noted) as generation `id` (generations.ts). */
	keepGeneration(id: string, paths: readonly string[]): Promise<Generation>;
	/** Puts a generation's files back (services are restarted by the caller). */
	restoreGeneration(generation: Generation): Promise<void>;
	/** The node's hash cache, so the next run need not read every file again. */
	recordHashes(known: ReadonlyMap<string, string>): Promise<void>;
	close(): Promise<void>;
}

/** A unit the tool runs: the control plane's services, and a stacked etcd's member. */
export type ManagedUnit = ServiceName | 'etcd';

/** systemd's view of a unit: ActiveState, SubState, NRestarts ('?' where not reported). */
export interface UnitState {
	active: string;
	sub: string;
	restarts: string;
}

/** The typed operations over one SSH connection. */
export function nodeSession(transport: Transport): NodeSession {
	const uploadMany = transport.uploadMany?.bind(transport);
	return {
		node: transport.node,
		preflight: (profile, node) => gatherPreflight(transport, profile, node),
		readState: (plan) => readRemoteState(transport, plan),
		readFile: (path) => transport.readFile(path),
		async ensureDirectories(directories) {
			const script = shJoin(directories.map((d) => sh`mkdir -p -- ${d.path} && chmod ${d.mode.toString(8)} -- ${d.path}`), ' && ');
			if (!script) return;
			const r = await transport.exec(script, {timeoutMs: 60_000});
			if (r.code !== 0) throw new StepError(`could not create directories on ${transport.node}`, 'check that the login user may write there (root or sudo)', r.stderr);
		},
		upload: (source, targetPath, options) => transport.upload(source, targetPath, options),
		...(uploadMany ? {uploadMany} : {}),
		restart: (service) =>
			systemdCommand(
				transport,
				shJoin([reloadIfNeeded(service), sh`systemctl enable ${service} --quiet --no-reload`, sh`systemctl restart ${service} --no-block`], ' && '),
				`starting ${service}`,
			),
		enable: (service) => systemdCommand(transport, sh`systemctl enable ${service} --quiet`, `systemctl enable ${service}`),
		stop: (service) => systemdCommand(transport, sh`systemctl disable --now --quiet ${service}`, `stopping ${service}`),
		async removeDirectory(path) {
			// Only an absolute path below the root (the profile's etcd.dataDir is validated so); never "/".
			if (!path.startsWith('/') || path.replace(/\/+$/, '') === '') throw new StepError(`refusing to remove ${path} on ${transport.node}`, 'a bug: report it');
			const r = await transport.exec(sh`rm -rf -- ${path}`, {timeoutMs: 120_000});
			if (r.code !== 0) throw new StepError(`could not remove ${path} on ${transport.node}`, undefined, tail(r.stderr));
		},
		async unitState(service) {
			const r = await transport.exec(sh`systemctl show ${service} -p ActiveState -p SubState -p NRestarts`, {timeoutMs: 10_000});
			return parseUnitState(r.stdout);
		},
		async journalTail(service, lines = 20) {
			const r = await transport.exec(sh`journalctl -u ${service} -n ${lines} --no-pager -o cat`, {timeoutMs: 10_000}).catch(() => undefined);
			return r ? tail(r.stdout, lines) : '';
		},
		async markApplied(service, digest) {
			const path = appliedMarkerPath(service);
			const r = await transport.exec(sh`mkdir -p ${APPLIED_DIR} && printf '%s\\n' ${digest} > ${path}.tmp && mv -f ${path}.tmp ${path}`, {timeoutMs: 30_000});
			if (r.code !== 0) throw new StepError(`could not record the started inputs of ${service}`, undefined, tail(r.stderr));
		},
		async keepGeneration(id, paths) {
			const r = await transport.exec(keepScript(id, paths), {timeoutMs: 5 * 60_000});
			if (r.code !== 0) throw new StepError(`could not keep the current files of ${transport.node} as generation ${id}`, 'check the free space under /var/lib/k8s-master-setup on the node', tail(r.stderr));
			return {id, dir: `${GENERATIONS_DIR}/${id}`};
		},
		async restoreGeneration(generation) {
			// The reload is unconditional: a unit put back keeps its old mtime, which systemd's
			// NeedDaemonReload does not take for a change (seen on the lab: the restart after a
			// rollback ran the failed unit again from memory).
			const r = await transport.exec(shJoin([restoreScript(generation), sh`systemctl daemon-reload`], ' && '), {timeoutMs: 5 * 60_000});
			if (r.code !== 0) throw new StepError(`could not put back generation ${generation.id} on ${transport.node}`, undefined, tail(r.stderr));
		},
		recordHashes: (known) => recordRemoteHashes(transport, known),
		close: () => transport.close(),
	};
}

export function parseUnitState(stdout: string): UnitState {
	const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(stdout)?.[1]?.trim() || '?';
	return {active: value('ActiveState'), sub: value('SubState'), restarts: value('NRestarts')};
}

async function systemdCommand(transport: Transport, command: ShellCommand, what: string): Promise<void> {
	const r = await transport.exec(command, {timeoutMs: 60_000});
	if (r.code !== 0) throw new StepError(`${what} failed on ${transport.node}`, 'look at the unit with systemctl status on the node', tail(r.stderr || r.stdout));
}

/**
 * A shell command that reloads the manager only when systemd says the unit it has loaded
 * differs from the files on disk (or it could not load it). A reload re-reads every unit,
 * costs the manager 80 ms of CPU on an idle lab node and a second or more on a busy one,
 * and blocks the restart that follows; a first install used to do nine, one per service
 * and node, the apiserver's on the critical path. A unit file that is new since the last
 * reload is loaded fresh when first named (LoadState=loaded, NeedDaemonReload=no); a
 * changed one or a changed drop-in shows NeedDaemonReload=yes. `enable --no-reload` then
 * only writes its symlink, which the manager reads at the next boot or reload.
 */
export function reloadIfNeeded(service: ManagedUnit): ShellCommand {
	return sh`{ [ "$(systemctl show -p LoadState -p NeedDaemonReload ${service} | sort | tr '\\n' ,)" = LoadState=loaded,NeedDaemonReload=no, ] || systemctl daemon-reload; }`;
}
