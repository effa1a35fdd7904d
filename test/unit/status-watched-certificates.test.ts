// status watches for expiry every certificate that apply places on a node, the front-proxy
// CA among them (it signs the proxy-client certificate: when it expires the aggregation
// layer stops authenticating). The node's files come from a real plan, are written to a
// directory as apply would place them, and the node probe script runs on it in a real sh.
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join, posix} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildPlan} from '../../source/plan/build-plan.js';
import type {Binaries} from '../../source/plan/binaries.js';
import {ensurePki} from '../../source/pki/ensure.js';
import {ProfileSchema} from '../../source/profile/schema.js';
import {StateDir} from '../../source/state/state-dir.js';
import {buildNodeProbeCommand, parseNodeProbeOutput} from '../../source/status/node-script.js';
import {baseProfile, tempDir} from './render/fixtures.js';

const binaries: Binaries = {
	release: 'v1.35.0',
	acceptedFlags: {},
	files: Object.fromEntries(
		['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((n) => [n, {localPath: `/bin/${n}`, sha256: 'ab'.repeat(32), size: 10}]),
	) as Binaries['files'],
};

describe('status certificate expiry', () => {
	it('lists every certificate file a node receives, front-proxy-ca.pem included', async () => {
		const work = tempDir('k8s-status-certs-');
		const profile = ProfileSchema.parse(baseProfile());
		const {pki} = await ensurePki(profile, StateDir.open(join(work, 'state')));
		const node = buildPlan(profile, pki, binaries).nodes[0]!;
		const certDir = join(work, 'cert');
		mkdirSync(certDir);
		const placed: string[] = [];
		for (const file of node.files) {
			if (posix.dirname(file.path) !== profile.paths.certDir || !file.content) continue;
			writeFileSync(join(certDir, posix.basename(file.path)), file.content);
			if (file.content.includes('-----BEGIN CERTIFICATE-----')) placed.push(posix.basename(file.path));
		}
		expect(placed).toContain('front-proxy-ca.pem');

		const command = buildNodeProbeCommand({certDir, configDir: join(work, 'no-configs')});
		const stdout = execFileSync('sh', ['-c', command], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
		const watched = parseNodeProbeOutput(stdout, Date.now()).certificates!.map((c) => posix.basename(c.source));
		expect(watched.sort()).toEqual(placed.sort());
		const frontProxy = parseNodeProbeOutput(stdout, Date.now()).certificates!.find((c) => c.source.endsWith('/front-proxy-ca.pem'));
		expect(frontProxy).toMatchObject({kind: 'file', subject: 'CN=front-proxy-ca'});
		expect(frontProxy!.daysLeft).toBeGreaterThan(3000);
	});
});
