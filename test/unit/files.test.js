'use strict';
const { dossierFiles, inputFiles, sameFile } = require('../../nodes/DemarcheNumerique/output/files');
const { simplifyDossier } = require('../../nodes/DemarcheNumerique/output/simplify');

const file = (name) => ({ filename: name, contentType: 'application/pdf', checksum: `${name}==`, byteSizeBigInt: '10', url: `https://storage/${name}` });
const ALL = { champs: true, annotations: true, messages: true, avis: true, attestation: true, justificatif: true, pdf: true };

const dossier = {
	number: 10001,
	champs: [
		{ __typename: 'PieceJustificativeChamp', id: 'c1', label: 'Justificatif', files: [file('a.pdf'), file('b.pdf')] },
		{ __typename: 'TextChamp', id: 'c2', label: 'Nom', value: 'x' },
		{
			__typename: 'RepetitionChamp',
			id: 'c3',
			label: 'Membres',
			rows: [
				{ id: 'r1', champs: [{ __typename: 'PieceJustificativeChamp', id: 'c4|r1', label: 'Pièce', files: [file('m1.pdf')] }] },
				{ id: 'r2', champs: [{ __typename: 'PieceJustificativeChamp', id: 'c4|r2', label: 'Pièce', files: [file('m2.pdf')] }] },
			],
		},
		{ __typename: 'PieceJustificativeChamp', id: 'c5', label: 'Justificatif', files: [file('c.pdf')] },
	],
	annotations: [{ __typename: 'PieceJustificativeChamp', id: 'a1', label: 'Rapport', files: [file('r.pdf')] }],
	messages: [
		{ id: 'm1', attachments: [] },
		{ id: 'm2', attachments: [file('pj.pdf')] },
	],
	avis: [{ id: 'v1', attachments: [file('avis.pdf')] }],
	attestation: file('attestation.pdf'),
	motivationAttachment: file('decision.pdf'),
	pdf: file('dossier.pdf'),
};

describe('dossierFiles', () => {
	it('finds every file, in order, each with its source', () => {
		expect(dossierFiles(dossier, ALL).map((f) => [f.source, f.file.filename])).toEqual([
			['Justificatif', 'a.pdf'],
			['Justificatif', 'b.pdf'],
			['Membres / row 1 / Pièce', 'm1.pdf'],
			['Membres / row 2 / Pièce', 'm2.pdf'],
			['Justificatif (2)', 'c.pdf'],
			['Rapport', 'r.pdf'],
			['message', 'pj.pdf'],
			['avis', 'avis.pdf'],
			['attestation', 'attestation.pdf'],
			['justificatif', 'decision.pdf'],
			['pdf', 'dossier.pdf'],
		]);
	});

	it('gives each file a key that differs from every other file', () => {
		const keys = dossierFiles(dossier, ALL).map((f) => f.key);
		expect(new Set(keys).size).toBe(keys.length);
	});

	it('takes only the chosen sources', () => {
		const only = dossierFiles(dossier, { ...ALL, champs: false, avis: false, pdf: false, messages: false });
		expect(only.map((f) => f.file.filename)).toEqual(['r.pdf', 'attestation.pdf', 'decision.pdf']);
	});

	it('copes with a dossier without the parts or files', () => {
		expect(dossierFiles({ number: 1, attestation: null }, ALL)).toEqual([]);
	});
});

describe('inputFiles: the files an input item already lists', () => {
	const raw = { __typename: 'Dossier', ...dossier };
	const view = (files) => files.map((f) => [f.kind, f.source, f.file.filename, f.file.url, f.file.checksum, String(f.file.byteSizeBigInt)]);

	it('reads a dossier as the API returns it exactly as a fresh read would', () => {
		expect(inputFiles(raw, 10001, ALL)).toEqual(dossierFiles(raw, ALL));
	});

	it('reads the simplified dossier (champs keyed by label, repetition rows, messages, avis, attestation…) to the same files, in the same order', () => {
		const simplified = simplifyDossier(raw);
		expect(view(inputFiles(simplified, 10001, ALL))).toEqual(view(dossierFiles(raw, ALL)));
	});

	it('is undefined when the item is another dossier, lacks a part the sources need, or holds a link that is not http(s)', () => {
		const simplified = simplifyDossier(raw);
		expect(inputFiles(simplified, 10002, ALL)).toBeUndefined();
		const { messages: _m, ...withoutMessages } = simplified;
		expect(inputFiles(withoutMessages, 10001, ALL)).toBeUndefined();
		expect(inputFiles(withoutMessages, 10001, { ...ALL, messages: false })).toHaveLength(10);
		const { motivationAttachment: _j, ...rawWithoutFiles } = raw;
		expect(inputFiles(rawWithoutFiles, 10001, ALL)).toBeUndefined();
		expect(inputFiles({ number: 10001 }, 10001, { ...ALL, champs: true })).toBeUndefined();
		const local = JSON.parse(JSON.stringify(simplified));
		local.champs.Justificatif[0].url = 'file:///etc/passwd';
		expect(inputFiles(local, 10001, ALL)).toBeUndefined();
	});

	it('takes a part that holds no file (attestation null) as known: nothing to read', () => {
		const simplified = simplifyDossier({ ...raw, attestation: null, motivationAttachment: null, pdf: null });
		expect(inputFiles(simplified, 10001, { ...ALL, champs: false, annotations: false, messages: false, avis: false })).toEqual([]);
	});
});

describe('sameFile: a file found again in a fresh copy of the dossier', () => {
	const fresh = dossierFiles(dossier, ALL);

	it('by its place, or by kind, name and checksum when the place is a label', () => {
		const fromSimplified = inputFiles(simplifyDossier({ __typename: 'Dossier', ...dossier }), 10001, ALL);
		for (const entry of fromSimplified) expect(sameFile(fresh, entry).file).toBe(fresh[fromSimplified.indexOf(entry)].file);
	});

	it('is undefined once the file is gone or its content changed', () => {
		const entry = { ...fresh[0], key: 'champ:other:0', file: { ...fresh[0].file, checksum: 'changed==' } };
		expect(sameFile(fresh, entry)).toBeUndefined();
		expect(sameFile(fresh.slice(1), { ...fresh[0], key: 'x' })).toBeUndefined();
	});
});
