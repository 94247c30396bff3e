'use strict';
const { dossierFiles } = require('../../nodes/DemarcheNumerique/output/files');

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
