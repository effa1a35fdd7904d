// The journal of an encryption rotation, kept in the state directory from the moment the new
// key exists until the old one is dropped everywhere: which key it rotates from and to, the
// phase it is in and, in the rewrite, the list cursor. A run killed at any point leaves it
// behind and the next `encryption rotate` carries on from it; the phase alone says what
// every node's config must be (phaseSetting), so the state's files are derived from it again.
import {z} from 'zod';
import {ENCRYPTION_PROVIDERS, type EncryptionKeyRef, type EncryptionSetting} from '../../pki/encryption-setting.js';

/**
 * The phases, each ended by a barrier (every apiserver restarted with the phase's config,
 * then checked through each node): the new key read-only, then writing, every Secret
 * rewritten, the count in etcd, the old key dropped.
 */
export const ROTATION_PHASES = ['read-enable', 'write-switch', 'rewrite', 'verify', 'drop-old'] as const;
export type RotationPhase = (typeof ROTATION_PHASES)[number];

const KeyRef = z.object({provider: z.enum(ENCRYPTION_PROVIDERS), keyName: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)});

const RotationJournalSchema = z.object({
	version: z.literal(1),
	startedAt: z.string(),
	from: KeyRef,
	to: KeyRef,
	/** The phase being carried out: earlier ones passed their barrier. */
	phase: z.enum(ROTATION_PHASES),
	/** The etcd snapshot taken before the first change, as logged. */
	snapshot: z.string().optional(),
	/** The rewrite's place: the list's continue token for the next page (null: from the start). */
	rewrite: z.object({continue: z.string().nullable(), done: z.number().int().min(0), total: z.number().int().min(0).nullable()}).optional(),
	/** When each phase passed its barrier. */
	passed: z.array(z.object({phase: z.enum(ROTATION_PHASES), at: z.string()})),
});

export type RotationJournal = z.infer<typeof RotationJournalSchema>;

export const ROTATION_JOURNAL_FILE = 'encryption-rotation.json';

export function parseRotationJournal(text: string): RotationJournal | {unreadable: string} {
	try {
		const parsed = RotationJournalSchema.safeParse(JSON.parse(text));
		return parsed.success ? parsed.data : {unreadable: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')};
	} catch (e) {
		return {unreadable: e instanceof Error ? e.message : String(e)};
	}
}

export function rotationJournalJson(journal: RotationJournal): string {
	return `${JSON.stringify(journal, null, 2)}\n`;
}

/**
 * What every apiserver's config holds in a phase. Every config from read-enable to verify
 * decrypts both keys, so a node put back one phase (a failed gate: the generation it had)
 * never lacks a key that was used for writes:
 * - read-enable: the old key writes, the new one only reads (nobody can write with a key
 *   another apiserver cannot read yet);
 * - write-switch, rewrite, verify: the new key writes, the old one reads what is left;
 * - drop-old: the new key alone (after the count in etcd found nothing under the old one).
 */
export function phaseSetting(journal: Pick<RotationJournal, 'from' | 'to'>, phase: RotationPhase): EncryptionSetting {
	const ref = (k: EncryptionKeyRef): EncryptionKeyRef => ({provider: k.provider, keyName: k.keyName});
	if (phase === 'read-enable') return {...ref(journal.from), readers: [ref(journal.to)]};
	if (phase === 'drop-old') return ref(journal.to);
	return {...ref(journal.to), readers: [ref(journal.from)]};
}

/** The phase after `phase`; undefined after the last. */
export function nextPhase(phase: RotationPhase): RotationPhase | undefined {
	return ROTATION_PHASES[ROTATION_PHASES.indexOf(phase) + 1];
}

/** The `k8s:enc:` prefix of a value written with `key`. */
export function storedPrefix(key: EncryptionKeyRef): string {
	return `k8s:enc:${key.provider}:v1:${key.keyName}:`;
}
