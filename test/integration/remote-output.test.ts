import {afterAll, beforeAll, expect, it} from 'vitest';
import {OUTPUT_LIMIT_BYTES, TRUNCATED} from '../../source/remote/ssh-exec.js';
import {sh} from '../../source/remote/shell.js';
import type {Transport} from '../../source/remote/transport.js';
import {connectTo, describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

describeWithSshd('what a node prints is kept up to a limit (real sshd)', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let transport: Transport;
	beforeAll(async () => {
		sshd = await startSshd();
		work = await tempDir('output');
		transport = await connectTo(sshd, 'root', await knownHostsFor(work.path, sshd));
	});
	afterAll(async () => {
		await transport?.close();
		await sshd?.stop();
		await work?.remove();
	});

	it('keeps 1 MiB of stdout and of stderr, then says it cut the rest', async () => {
		const result = await transport.exec(sh`head -c 5000000 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero | tr '\\0' b >&2; exit 4`);
		expect(result.code).toBe(4);
		expect(result.stdout.length).toBe(OUTPUT_LIMIT_BYTES + TRUNCATED.length);
		expect(result.stdout.endsWith(`aaa${TRUNCATED}`)).toBe(true);
		expect(result.stderr.length).toBe(OUTPUT_LIMIT_BYTES + TRUNCATED.length);
		expect(result.stderr.endsWith(`bbb${TRUNCATED}`)).toBe(true);
		// Below the limit nothing changes.
		expect((await transport.exec(sh`printf '%s' ${'x'.repeat(1000)}`)).stdout).toBe('x'.repeat(1000));
	});
});
