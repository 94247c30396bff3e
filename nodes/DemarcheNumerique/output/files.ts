import type { IDataObject } from 'n8n-workflow';

import type { RawChamp, RawFile } from '../graphql';
import { uniqueKeys } from './values';

/** Where files are looked for in a dossier; each switch matches a part of the dossier document. */
export interface FileSources {
	champs: boolean;
	annotations: boolean;
	messages: boolean;
	avis: boolean;
	attestation: boolean;
	justificatif: boolean;
	pdf: boolean;
}

export type FileKind =
	| 'champ'
	| 'annotation'
	| 'message'
	| 'avis'
	| 'attestation'
	| 'justificatif'
	| 'pdf';

/** One file of a dossier and where it sits. */
export interface DossierFile {
	kind: FileKind;
	/** The contract's `source`: the champ or annotation key, "message", "avis", "attestation", "justificatif", "pdf". */
	source: string;
	/** Stable position in the dossier, to find the same file again in a fresh copy of the dossier. */
	key: string;
	file: RawFile;
}

function champFiles(
	champs: RawChamp[] | undefined,
	kind: 'champ' | 'annotation',
	prefix: string,
	out: DossierFile[],
) {
	const list = (champs ?? []).filter(Boolean);
	const keys = uniqueKeys(list.map((c) => String(c.label ?? '')));
	list.forEach((champ, position) => {
		const source = prefix ? `${prefix} / ${keys[position]}` : keys[position];
		if (champ.__typename === 'PieceJustificativeChamp') {
			((champ.files ?? []) as RawFile[]).forEach((file, n) => {
				if (file) out.push({ kind, source, key: `${kind}:${champ.id}:${n}`, file });
			});
		}
		if (champ.__typename === 'RepetitionChamp') {
			((champ.rows ?? []) as IDataObject[]).forEach((row, r) => {
				champFiles((row?.champs ?? []) as RawChamp[], kind, `${source} / row ${r + 1}`, out);
			});
		}
	});
}

function attachments(list: unknown, kind: 'message' | 'avis', out: DossierFile[]) {
	((list ?? []) as IDataObject[]).forEach((entry) => {
		((entry?.attachments ?? []) as RawFile[]).forEach((file, n) => {
			if (file) out.push({ kind, source: kind, key: `${kind}:${entry.id}:${n}`, file });
		});
	});
}

/**
 * Every file of a dossier, in a fixed order: champs (repetition rows included), annotations,
 * messages, avis, attestation, decision justificatif, PDF export.
 */
export function dossierFiles(dossier: IDataObject, sources: FileSources): DossierFile[] {
	const out: DossierFile[] = [];
	if (sources.champs) champFiles(dossier.champs as RawChamp[], 'champ', '', out);
	if (sources.annotations) champFiles(dossier.annotations as RawChamp[], 'annotation', '', out);
	if (sources.messages) attachments(dossier.messages, 'message', out);
	if (sources.avis) attachments(dossier.avis, 'avis', out);
	const single: Array<[boolean, FileKind, unknown]> = [
		[sources.attestation, 'attestation', dossier.attestation],
		[sources.justificatif, 'justificatif', dossier.motivationAttachment],
		[sources.pdf, 'pdf', dossier.pdf],
	];
	for (const [wanted, kind, file] of single) {
		if (wanted && file) out.push({ kind, source: kind, key: kind, file: file as RawFile });
	}
	return out;
}
