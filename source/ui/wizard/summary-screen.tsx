import React from 'react';
import {Box, Text} from 'ink';
import {getValue, splitList, type Draft} from './draft.js';
import type {WizardState} from './wizard-state.js';
import {sshOf} from './wizard-state.js';
import {mask} from '../format.js';
import {WrappedText} from '../wrapped-text.js';
import {membershipChange, membershipLines} from './membership-change.js';

/**
 * Every answer on one screen before anything is saved; secrets masked. A master added or
 * removed on its own screen (change-rules.ts) shows the profile and its nodes only: the
 * other answers are the saved profile's, unchanged.
 */
export function summaryLines(state: WizardState): Array<[string, string]> {
	const d = state.draft;
	const v = (key: string) => getValue(d, key).trim();
	const ssh = sshOf(d);
	const key = v('encryption.key');
	const sans = splitList(v('apiserver.extraSans'));
	const head: Array<[string, string]> = [
		['profile', `${v('name')}${v('name') === state.editing ? ' (edited; saved over the old one)' : state.savedNames.has(v('name')) ? ' (replaces the saved profile of this name)' : ''}`],
		...d.nodes.map((n, i): [string, string] => [i === 0 ? 'nodes' : '', `${n.name.trim()}  ${n.ip.trim()}`]),
	];
	if (!state.order.includes('ssh')) return [...head, ['other answers', 'as saved']];
	const lines: Array<[string, string]> = [
		...head,
		['ssh', `${ssh.user}, port ${ssh.port}, ${ssh.identityFile ? `key ${ssh.identityFile}` : 'ssh-agent / default keys'}`],
		['binaries', `${v('binaries')}${state.version?.release ? ` (${state.version.release})` : ''}`],
		['version', v('kubernetesVersion')],
		['service CIDR', v('network.serviceCidr')],
		['pod CIDR', v('network.podCidr')],
		['NodePort range', v('network.nodePortRange')],
		['cluster domain', v('network.clusterDomain')],
		...etcdLines(d),
		['CA', v('pki.mode') === 'existing' ? `existing: ${v('pki.caCert')} (key file given, not shown)` : 'create a new CA'],
		['encryption key', v('encryption.mode') === 'paste' ? `${mask(key)} (pasted, not shown)` : 'generate a new key'],
		['extra SANs', sans.length > 0 ? sans.join(', ') : 'none'],
	];
	if (state.canCheck) lines.push(['host keys', state.acceptedHostKeys.length > 0 ? `${state.acceptedHostKeys.length} accepted` : 'not checked']);
	return lines;
}

/**
 * The etcd answer: the members the tool runs (the release read from a tarball's name, as
 * etcd names its releases), or the external endpoints, one a line under their count.
 */
export function etcdLines(d: Draft): Array<[string, string]> {
	const v = (key: string) => getValue(d, key).trim();
	if (v('etcd.mode') !== 'external') {
		const path = v('etcd.binaries');
		const release = /etcd-v(\d+\.\d+\.\d+)-linux/.exec(path)?.[1];
		return [['etcd', `stacked, one member per master (etcd ${release ? `${release} ` : ''}from ${path})`]];
	}
	const endpoints = splitList(v('etcd.endpoints'));
	return [['etcd', `external, ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`], ...endpoints.map((e): [string, string] => ['', e])];
}

/** What the next apply does about the masters an edit added or removed. */
export function changeLines(state: WizardState): string[] {
	if (!state.base) return [];
	return membershipLines(membershipChange(state.base.nodes ?? [], state.draft.nodes), getValue(state.draft, 'name').trim());
}

export function SummaryScreen({state, columns}: {state: WizardState; columns: number}) {
	const change = changeLines(state);
	return (
		<Box flexDirection="column">
			{change.length > 0 ? (
				<Box flexDirection="column" marginBottom={1}>
					{change.map((line) => (
						<WrappedText key={line} width={columns} indent={2} tone="accent">
							{line}
						</WrappedText>
					))}
				</Box>
			) : null}
			{summaryLines(state).map(([label, value], i) => (
				<Box key={i}>
					<Text>
						{'  '}
						{label.padEnd(16)}
					</Text>
					<WrappedText width={columns - 18}>{value}</WrappedText>
				</Box>
			))}
		</Box>
	);
}
