// The end screen after a failed run: what failed and how to resume with the same flags,
// never the next steps for a working cluster.
import React from 'react';
import {afterEach, describe, expect, test} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Finished} from '../../source/ui/finished.js';

afterEach(() => cleanup());

describe('end screen', () => {
	test('a failed run names the nodes and the resume command with the run\'s own flags, and no next steps', () => {
		const statusArgs = "--profile-file '/srv/my profiles/prod.yaml' --state-dir /var/tmp/state";
		const {lastFrame} = render(<Finished profileName="prod" kubeconfigPath="/var/tmp/state/admin.kubeconfig" ok={false} failedNodes={['m1', 'm3']} statusArgs={statusArgs} />);
		const frame = lastFrame() ?? '';
		expect(frame).toContain('✗ 2 nodes failed: m1, m3');
		expect(frame).toContain(`k8s-master-setup apply ${statusArgs}`);
		expect(frame).not.toContain('next:');
		expect(frame).not.toContain('get --raw');
	});

	test('a refused change says nothing was changed and asks for the same command again, not a resume', () => {
		const {lastFrame} = render(<Finished profileName="prod" kubeconfigPath="/tmp/admin.kubeconfig" ok={false} refused failedNodes={['m1', 'm2']} />);
		const frame = lastFrame() ?? '';
		expect(frame).toContain('✗ refused on m1, m2: nothing was changed');
		expect(frame).toContain('fix what the lines above name, then run the same command again:\n  k8s-master-setup apply --profile prod');
		expect(frame).not.toMatch(/failed|resume/);
	});

	test('a working control plane gets its next commands', () => {
		const {lastFrame} = render(<Finished profileName="prod" kubeconfigPath="/tmp/admin.kubeconfig" />);
		expect(lastFrame()).toContain("next:\n  kubectl --kubeconfig /tmp/admin.kubeconfig get --raw '/readyz?verbose'");
	});
});
