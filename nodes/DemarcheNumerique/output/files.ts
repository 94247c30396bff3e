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

/** A file as the simplified dossier shows it (output/simplify.ts). */
function isSimpleFile(value: unknown): value is IDataObject {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
	const file = value as IDataObject;
	return (
		typeof file.url === 'string' &&
		typeof file.filename === 'string' &&
		'checksum' in file &&
		'contentType' in file &&
		'byteSize' in file
	);
}

function fromSimpleFile(file: IDataObject): RawFile {
	return {
		filename: String(file.filename),
		contentType: String(file.contentType ?? ''),
		checksum: String(file.checksum ?? ''),
		byteSizeBigInt: file.byteSize as string | number | undefined,
		url: String(file.url),
	};
}

/** Files of simplified champs (an object keyed by label; repetitions as arrays of row objects). */
function simplifiedChampFiles(
	champs: IDataObject,
	kind: 'champ' | 'annotation',
	prefix: string,
	out: DossierFile[],
) {
	for (const [label, value] of Object.entries(champs)) {
		if (!Array.isArray(value) || value.length === 0) continue;
		const source = prefix ? `${prefix} / ${label}` : label;
		if (value.every(isSimpleFile)) {
			(value as IDataObject[]).forEach((file, n) => {
				out.push({ kind, source, key: `${kind}:${source}:${n}`, file: fromSimpleFile(file) });
			});
		} else {
			value.forEach((row, r) => {
				if (row && typeof row === 'object' && !Array.isArray(row)) {
					simplifiedChampFiles(row as IDataObject, kind, `${source} / row ${r + 1}`, out);
				}
			});
		}
	}
}

function simplifiedAttachments(list: IDataObject[], kind: 'message' | 'avis', out: DossierFile[]) {
	list.forEach((entry, position) => {
		const attachments = (entry?.attachments ?? []) as IDataObject[];
		attachments.filter(isSimpleFile).forEach((file, n) => {
			const key = `${kind}:${String(entry.id ?? position)}:${n}`;
			out.push({ kind, source: kind, key, file: fromSimpleFile(file) });
		});
	});
}

const isPlainObject = (value: unknown): value is IDataObject =>
	Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/** The item holds every part the sources need, in the raw (API) shape or the simplified one. */
function carries(item: IDataObject, sources: FileSources, raw: boolean): boolean {
	const needs: Array<[boolean, string, (value: unknown) => boolean]> = [
		[sources.champs, 'champs', raw ? Array.isArray : isPlainObject],
		[sources.annotations, 'annotations', raw ? Array.isArray : isPlainObject],
		[sources.messages, 'messages', Array.isArray],
		[sources.avis, 'avis', Array.isArray],
		[sources.attestation, 'attestation', (v) => v === null || isPlainObject(v)],
		[
			sources.justificatif,
			raw ? 'motivationAttachment' : 'justificatif',
			(v) => v === null || isPlainObject(v),
		],
		[sources.pdf, 'pdf', (v) => v === null || isPlainObject(v)],
	];
	return needs.every(([wanted, key, shaped]) => !wanted || (key in item && shaped(item[key])));
}

/**
 * The files of dossier `number` as an input item already lists them, when the item is that dossier
 * as Get or Get Many output it (simplified or as the API returns it) with every part the sources
 * need; undefined otherwise (the dossier must then be read). Links that are not http(s) make the
 * item unusable, so nothing but a storage link is ever fetched.
 */
export function inputFiles(
	item: IDataObject,
	number: number,
	sources: FileSources,
): DossierFile[] | undefined {
	if (Number(item.number) !== number) return undefined;
	const raw = item.__typename === 'Dossier';
	if (!carries(item, sources, raw)) return undefined;
	let files: DossierFile[];
	if (raw) {
		files = dossierFiles(item, sources);
	} else {
		files = [];
		if (sources.champs) simplifiedChampFiles(item.champs as IDataObject, 'champ', '', files);
		if (sources.annotations) {
			simplifiedChampFiles(item.annotations as IDataObject, 'annotation', '', files);
		}
		if (sources.messages) simplifiedAttachments(item.messages as IDataObject[], 'message', files);
		if (sources.avis) simplifiedAttachments(item.avis as IDataObject[], 'avis', files);
		const single: Array<[boolean, FileKind, unknown]> = [
			[sources.attestation, 'attestation', item.attestation],
			[sources.justificatif, 'justificatif', item.justificatif],
			[sources.pdf, 'pdf', item.pdf],
		];
		for (const [wanted, kind, file] of single) {
			if (wanted && isSimpleFile(file)) {
				files.push({ kind, source: kind, key: kind, file: fromSimpleFile(file) });
			}
		}
	}
	const linked = files.every((entry) => /^https?:\/\//i.test(String(entry.file.url ?? '')));
	return linked ? files : undefined;
}

/**
 * The same file in a fresh copy of the dossier: at the same place with the same name, else the
 * first of the same kind with the same name and checksum (places read from a simplified item are
 * labels, not the platform's IDs).
 */
export function sameFile(fresh: DossierFile[], entry: DossierFile): DossierFile | undefined {
	const { filename, checksum } = entry.file;
	return (
		fresh.find((f) => f.key === entry.key && f.file.filename === filename) ??
		fresh.find(
			(f) =>
				f.kind === entry.kind &&
				f.file.filename === filename &&
				(f.file.checksum ?? '') === (checksum ?? ''),
		)
	);
}
