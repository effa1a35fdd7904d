// Handing a Lease over when its holder is known to be gone (the instance the rollout just
// restarted): the holder cleared as client-go's release writes it, and only when the gone
// instance still holds it.
import {describe, expect, it} from 'vitest';
import {handedOverLease, leaseStatusFromJson} from '../../source/cluster/lease.js';

const read = {
	apiVersion: 'coordination.k8s.io/v1',
	kind: 'Lease',
	metadata: {name: 'kube-controller-manager', namespace: 'kube-system', resourceVersion: '4711'},
	spec: {holderIdentity: 'lab-m3_5f0c', leaseDurationSeconds: 15, acquireTime: '2026-12-01T20:00:00.000000Z', renewTime: '2026-12-01T20:01:10.120000Z', leaseTransitions: 4},
};

describe('handedOverLease', () => {
	it('clears the holder of a Lease the gone instance still holds, keeping its metadata and transitions', () => {
		const now = new Date('2026-12-01T20:01:11.250Z');
		const lease = handedOverLease(read, 'lab-m3_5f0c', now) as typeof read;
		expect(lease.metadata).toEqual(read.metadata); // resourceVersion: a concurrent change makes the write a 409
		expect(lease.spec).toEqual({holderIdentity: '', leaseDurationSeconds: 1, acquireTime: '2026-12-01T20:01:11.250000Z', renewTime: '2026-12-01T20:01:11.250000Z', leaseTransitions: 4});
		// Read back, nobody holds it: a candidate takes it on its next retry, and the gate does not count it as renewed.
		expect(leaseStatusFromJson('kube-controller-manager', lease, [], now.getTime(), 'lab-m1').state).toBe('absent');
	});

	it('leaves a Lease alone that another instance (or nobody) holds', () => {
		expect(handedOverLease(read, 'lab-m3_other', new Date())).toBeUndefined();
		expect(handedOverLease({...read, spec: {...read.spec, holderIdentity: ''}}, 'lab-m3_5f0c', new Date())).toBeUndefined();
		expect(handedOverLease({metadata: read.metadata}, 'lab-m3_5f0c', new Date())).toBeUndefined();
		expect(handedOverLease('not json', 'lab-m3_5f0c', new Date())).toBeUndefined();
	});
});
