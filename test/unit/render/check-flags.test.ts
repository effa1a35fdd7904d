import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Binaries} from '../../../source/plan/binaries.js';
import {parseHelpFlags} from '../../../source/plan/binaries.js';
import {assertFlagsAccepted, findUnacceptedFlags} from '../../../source/plan/check-flags.js';
import {ProfileSchema} from '../../../source/profile/schema.js';
import {baseProfile, flagsDir} from './fixtures.js';

const reference = (component: string) =>
	readFileSync(join(flagsDir, '1.35', `${component}.txt`), 'utf8')
		.split('\n')
		.map((l) => l.trim().replace(/^--/, ''))
		.filter(Boolean);

function binaries(accepted: Binaries['acceptedFlags']): Binaries {
	const file = {localPath: '/x', sha256: '0', size: 1};
	return {release: 'v1.35.0', files: {'kube-apiserver': file, 'kube-controller-manager': file, 'kube-scheduler': file, kubectl: file}, acceptedFlags: accepted};
}

describe('unit flags against the binary being deployed', () => {
	const all = {
		'kube-apiserver': reference('kube-apiserver'),
		'kube-controller-manager': reference('kube-controller-manager'),
		'kube-scheduler': reference('kube-scheduler'),
	};

	it('parses flag names from --help output', () => {
		const help = `Usage:\n  kube-scheduler [flags]\n\nSecure serving flags:\n      --bind-address ip   The IP address\n  -v, --v Level   number for the log level\n      --tls-cert-file string   File\n`;
		expect(parseHelpFlags(help)).toEqual(['bind-address', 'tls-cert-file', 'v']);
	});

	it('accepts the rendered units when the binary lists every flag', () => {
		const profile = ProfileSchema.parse(baseProfile());
		expect(findUnacceptedFlags(profile, binaries(all))).toEqual([]);
	});

	it('names a rendered flag the binary no longer has, before anything is written', () => {
		const profile = ProfileSchema.parse(baseProfile());
		const without = {...all, 'kube-controller-manager': all['kube-controller-manager'].filter((f) => f !== 'leader-elect')};
		expect(findUnacceptedFlags(profile, binaries(without))).toEqual([{component: 'kube-controller-manager', flag: 'leader-elect', fromExtraArgs: false}]);
		expect(() => assertFlagsAccepted(profile, binaries(without))).toThrow(/kube-controller-manager v1.35.0 does not accept --leader-elect/);
	});

	it('blames extraArgs when the unknown flag came from the profile', () => {
		const profile = ProfileSchema.parse(baseProfile({scheduler: {extraArgs: {'no-such-flag': '1'}}}));
		expect(() => assertFlagsAccepted(profile, binaries(all))).toThrow(/does not accept --no-such-flag \(from the profile's extraArgs\)/);
	});
});
