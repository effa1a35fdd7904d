import type {Profile, ProfileNode} from '../profile/schema.js';
import {etcdFlags, type EtcdFlagContext} from '../etcd/etcd-flags.js';
import {componentFlags, type Component} from './flags.js';
import type {TargetPaths} from './paths.js';
import {fillTemplate, readTemplate} from './templates.js';

/**
 * The three systemd units. ExecStart is generated from the typed flag table (flags.ts) so
 * tests can check every flag; the rest of each unit is a template in templates/systemd/.
 */
export function renderApiserverUnit(profile: Profile, node: ProfileNode, paths: TargetPaths): string {
	return renderUnit('kube-apiserver', profile, node, paths, paths.bin.apiserver, paths.workDir.apiserver);
}

export function renderControllerManagerUnit(profile: Profile, node: ProfileNode, paths: TargetPaths): string {
	return renderUnit('kube-controller-manager', profile, node, paths, paths.bin.controllerManager, paths.workDir.controllerManager);
}

export function renderSchedulerUnit(profile: Profile, node: ProfileNode, paths: TargetPaths): string {
	return renderUnit('kube-scheduler', profile, node, paths, paths.bin.scheduler, paths.workDir.scheduler);
}

function renderUnit(component: Component, profile: Profile, node: ProfileNode, paths: TargetPaths, binary: string, workingDirectory: string): string {
	const flags = componentFlags(component, {profile, node, paths});
	const execStart = [systemdWord(binary), ...flags.map(([name, value]) => systemdWord(`--${name}=${value}`))].join(' \\\n  ');
	return fillTemplate(readTemplate(`systemd/${component}.service`), {
		node: node.name,
		kubernetesVersion: profile.kubernetesVersion,
		workingDirectory: systemdWord(workingDirectory),
		execStart,
	});
}

/**
 * A stacked etcd member's unit (etcd.mode: stacked): ExecStart from the versioned table in
 * etcd/etcd-flags.ts, the rest from templates/systemd/etcd.service. The member's working
 * directory is its data directory (etcd wants it 0700: the caller creates it so).
 */
export function renderEtcdUnit(context: EtcdFlagContext & {kubernetesVersion: string; etcdVersion: string}): string {
	const flags = etcdFlags(context);
	const execStart = [systemdWord(context.paths.etcd.bin.etcd), ...flags.map(([name, value]) => systemdWord(`--${name}=${value}`))].join(' \\\n  ');
	return fillTemplate(readTemplate('systemd/etcd.service'), {
		node: context.node.name,
		etcdVersion: context.etcdVersion,
		kubernetesVersion: context.kubernetesVersion,
		workingDirectory: systemdWord(context.etcd.dataDir),
		execStart,
	});
}

/**
 * One ExecStart word. systemd expands "%" specifiers and "$VAR" in command lines, so both
 * are doubled; a word with blanks, quotes or backslashes is double-quoted (extraArgs may hold any string).
 */
export function systemdWord(word: string): string {
	const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
	if (!/[\s"'\\]/.test(escaped)) return escaped;
	return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The flags of a rendered unit's ExecStart, for tests and the status screen: [name, value] pairs. */
export function parseExecStartFlags(unit: string): Array<[string, string]> {
	const match = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(unit);
	if (!match) return [];
	return match[1]!
		.split(/\s*\\\n\s*/)
		.slice(1)
		.map((word) => word.replace(/^"(.*)"$/, '$1'))
		.map((word): [string, string] => {
			const at = word.indexOf('=');
			return at < 0 ? [word.replace(/^--/, ''), ''] : [word.slice(2, at), word.slice(at + 1)];
		});
}
