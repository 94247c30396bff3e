'use strict';
/**
 * The resource mapper's columns built from descriptors, and the mapped values turned into writes
 * (pure functions; the engine test write-mapped.test.js checks them against the sandbox).
 */
const { DateTime, Settings } = require('luxon');

const { annotationColumns, champColumns, mappedValue } = require('../../nodes/DemarcheNumerique/resolve/columns');
const { mappedEntries, rowInputs } = require('../../nodes/DemarcheNumerique/resolve/annotationRows');
const { buildPrefillBody, mappedPrefillEntries } = require('../../nodes/DemarcheNumerique/actions/dossier/prefill');

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const d = (__typename, id, label, extra = {}) => ({ __typename, id: b64(`Champ-${id}`), label, ...extra });

const ROWS = d('RepetitionChampDescriptor', 10, 'Contrôles', {
	champDescriptors: [d('DateChampDescriptor', 11, 'Date du contrôle'), d('TextChampDescriptor', 12, 'Résultat'), d('PieceJustificativeChampDescriptor', 13, 'Photo')],
});
const ANNOTATIONS = [
	d('HeaderSectionChampDescriptor', 1, 'Instruction'),
	d('TextChampDescriptor', 2, 'Note'),
	d('TextChampDescriptor', 3, 'Note'),
	d('DropDownListChampDescriptor', 4, 'Priorité', { options: ['Haute', 'Basse'], otherOption: false }),
	d('MultipleDropDownListChampDescriptor', 5, 'Services', { options: ['Voirie', 'Finances'] }),
	d('YesNoChampDescriptor', 6, 'Visite', { required: true }),
	d('AddressChampDescriptor', 7, 'Adresse du site'),
	d('PhoneChampDescriptor', 8, 'Téléphone'),
	ROWS,
];

describe('annotationColumns', () => {
	it('one column per valued annotation, keyed by champ ID, labels made unique, typed', () => {
		const fields = annotationColumns(ANNOTATIONS);
		expect(fields.map((f) => [f.displayName, f.type])).toEqual([
			['Note', 'string'],
			['Note (2)', 'string'],
			['Priorité', 'options'],
			['Services', 'multiOptions'],
			['Visite', 'boolean'],
			['Adresse du site (Address: the API cannot write this type)', 'string'],
			['Téléphone (phone number)', 'string'],
			['Contrôles (rows: [{"Date du contrôle": …, "Résultat": …, "Photo": …}])', 'array'],
		]);
		expect(fields[0].id).toBe(b64('Champ-2'));
		expect(fields[4]).toMatchObject({ required: true, removed: true });
		expect(fields[5]).toMatchObject({ readOnly: true, removed: true });
	});

	it('a server without the 2026 value keys: those columns read-only', () => {
		const fields = annotationColumns(ANNOTATIONS, new Set(['text', 'dropDownList', 'multipleDropDownList', 'yesNo', 'repetition']));
		expect(fields.find((f) => f.id === b64('Champ-8'))).toMatchObject({ readOnly: true, removed: true });
		expect(fields.find((f) => f.id === b64('Champ-2')).readOnly).toBeUndefined();
	});
});

describe('champColumns', () => {
	it('the platform\'s prefillable types are writable; files, linked lists, maps are not', () => {
		const fields = champColumns([
			d('PieceJustificativeChampDescriptor', 1, 'Justificatif', { required: true }),
			d('LinkedDropDownListChampDescriptor', 2, 'Secteur'),
			d('AddressChampDescriptor', 3, 'Adresse'),
			d('DropDownListChampDescriptor', 4, 'Structure', { options: ['A', 'B'], otherOption: true }),
			d('TextChampDescriptor', 5, 'Nom', { required: true }),
		]);
		expect(fields.map((f) => [f.displayName, f.type, f.required, f.readOnly === true])).toEqual([
			['Justificatif (PieceJustificative: the platform cannot prefill this type)', 'string', false, true],
			['Secteur (LinkedDropDownList: the platform cannot prefill this type)', 'string', false, true],
			['Adresse', 'string', false, false],
			['Structure (A, B or another value)', 'string', false, false],
			['Nom', 'string', true, false],
		]);
	});
});

describe('mappedEntries', () => {
	const options = { timeZone: 'Europe/Paris' };
	it('leaves empty columns out, counts the rows and plans their fields by label', () => {
		const { entries, rows, problems } = mappedEntries(
			ANNOTATIONS,
			{
				[b64('Champ-2')]: 'Relu',
				[b64('Champ-3')]: '',
				[b64('Champ-6')]: null,
				[b64('Champ-10')]: [{ 'Date du contrôle': '01/10/2026', Résultat: 'OK' }, {}],
			},
			options,
		);
		expect(problems).toEqual([]);
		expect(entries).toEqual([
			{ annotation: b64('Champ-2'), value: 'Relu' },
			{ annotation: b64('Champ-10'), value: 2 },
		]);
		expect(rows[0].rows.map((r) => r.map((w) => [w.descriptor.label, w.input]))).toEqual([
			[
				['Contrôles row 1: Date du contrôle', { id: b64('Champ-11'), value: { date: '2026-10-01' } }],
				['Contrôles row 1: Résultat', { id: b64('Champ-12'), value: { text: 'OK' } }],
			],
			[],
		]);
	});

	it('a number of rows as before, and every problem collected', () => {
		expect(mappedEntries(ANNOTATIONS, { [b64('Champ-10')]: '3' }, options).entries).toEqual([{ annotation: b64('Champ-10'), value: 3 }]);
		const { problems } = mappedEntries(
			ANNOTATIONS,
			{ [b64('Champ-10')]: [{ Inconnu: 'x', Photo: 'data' }, 'pas une ligne'], [b64('Champ-99')]: 'x', [b64('Champ-2')]: 'ok' },
			options,
		);
		expect(problems).toEqual([
			expect.stringMatching(/^"Contrôles" row 1: No field "Inconnu"/),
			'"Contrôles" row 1: "Photo" is a file field, which the node cannot write inside a row',
			'"Contrôles" row 2: a row is an object keyed by the row\'s field labels',
			`The column "${b64('Champ-99')}" is no longer an annotation of the démarche (the form changed): refresh the columns`,
		]);
	});

	it('nothing filled is an error', () => {
		expect(() => mappedEntries(ANNOTATIONS, { [b64('Champ-2')]: null }, options)).toThrow('No annotation to write: fill at least one column');
	});
});

describe('rowInputs', () => {
	it('puts the IDs of the new rows\' fields (the last rows returned), and reports a field not returned', () => {
		const { rows } = mappedEntries(ANNOTATIONS, { [b64('Champ-10')]: [{ Résultat: 'A' }, { Résultat: 'B' }] }, { timeZone: 'UTC' });
		const served = [
			{
				id: b64('Champ-10'),
				champDescriptorId: b64('Champ-10'),
				rows: [
					{ id: 'r0', champs: [{ id: 'old', champDescriptorId: b64('Champ-12') }] },
					{ id: 'r1', champs: [{ id: 'new1', champDescriptorId: b64('Champ-12') }] },
					{ id: 'r2', champs: [] },
				],
			},
		];
		const { fills, missing } = rowInputs(rows, served);
		expect(fills.map((f) => f.input)).toEqual([{ id: 'new1', value: { text: 'A' } }]);
		expect(missing).toEqual([{ annotation: 'Contrôles row 2: Résultat', id: b64('Champ-12'), error: expect.stringMatching(/did not return/) }]);
	});
});

describe('mappedValue', () => {
	afterEach(() => {
		Settings.defaultZone = 'system';
	});
	it('a date n8n parsed without an offset is its wall-clock time again; one with a zone keeps its instant', () => {
		Settings.defaultZone = 'America/New_York';
		expect(mappedValue(DateTime.fromISO('2026-05-06T09:15:00', { setZone: true }))).toBe('2026-05-06T09:15:00.000');
		expect(mappedValue(DateTime.fromISO('2026-05-06T09:15:00+02:00', { setZone: true }))).toBe('2026-05-06T09:15:00.000+02:00');
		expect(mappedValue('texte')).toBe('texte');
	});
});

describe('mapped Create Prefilled', () => {
	it('columns by champ ID become champ_ keys; rows keyed by label become champ_ keys too', () => {
		const champs = [d('IntegerNumberChampDescriptor', 1, 'Nombre'), ROWS, d('CheckboxChampDescriptor', 2, 'Accord')];
		const entries = mappedPrefillEntries({ [b64('Champ-1')]: 12, [b64('Champ-2')]: true, [b64('Champ-10')]: [{ Résultat: 'OK', 'Date du contrôle': '2026-10-01' }], x: null });
		expect(buildPrefillBody(champs, entries, 'Europe/Paris')).toEqual({
			[`champ_${b64('Champ-1')}`]: '12',
			[`champ_${b64('Champ-2')}`]: 'true',
			[`champ_${b64('Champ-10')}`]: [{ [`champ_${b64('Champ-12')}`]: 'OK', [`champ_${b64('Champ-11')}`]: '2026-10-01' }],
		});
	});
});
