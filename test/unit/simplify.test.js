'use strict';
/**
 * The simplified dossier of the contract, from API-shaped input written by hand. Every expected
 * value below is written out literally.
 */
const {
	champValue,
	dossierNeedsDescriptors,
	simplifyChamps,
	simplifyDossier,
} = require('../../nodes/DemarcheNumerique/output/simplify');
const { decimalOrText: toDecimal, integerOrText: toInteger } = require('../../nodes/DemarcheNumerique/output/values');
const { indexDescriptors } = require('../../nodes/DemarcheNumerique/resolve/descriptors');

const champ = (typename, label, fields = {}) => ({
	__typename: typename,
	id: `id-${label}`,
	champDescriptorId: `desc-${label}`,
	label,
	stringValue: null,
	...fields,
});

describe('typed champ values', () => {
	it.each([
		['TextChamp', { value: 'Jardin' }, 'Jardin'],
		['TextChamp', { value: null }, null],
		['DateChamp', { date: '2024-06-18' }, '2024-06-18'],
		['DatetimeChamp', { datetime: '2024-06-20T10:30:00+02:00' }, '2024-06-20T10:30:00+02:00'],
		['CheckboxChamp', { checked: true }, true],
		['CheckboxChamp', { checked: false }, false],
		['YesNoChamp', { selected: false }, false],
		['YesNoChamp', { selected: null }, null],
		['IntegerNumberChamp', { integerNumber: '120' }, 120],
		['IntegerNumberChamp', { integerNumber: '-7' }, -7],
		['IntegerNumberChamp', { integerNumber: '9007199254740993' }, '9007199254740993'],
		['IntegerNumberChamp', { integerNumber: null }, null],
		['DecimalNumberChamp', { decimalNumber: 12500.5 }, 12500.5],
		['DropDownListChamp', { choice: 'Association' }, 'Association'],
		['MultipleDropDownListChamp', { values: ['Enfants', 'Seniors'] }, ['Enfants', 'Seniors']],
		['MultipleDropDownListChamp', { values: [] }, []],
		['LinkedDropDownListChamp', { primaryValue: 'Sport', secondaryValue: 'Football' }, { primary: 'Sport', secondary: 'Football' }],
		['LinkedDropDownListChamp', { primaryValue: null, secondaryValue: null }, null],
		['CiviliteChamp', { civilite: 'Mme' }, 'Mme'],
		['DepartementChamp', { departement: { name: 'Rhône', code: '69' } }, { code: '69', name: 'Rhône' }],
		['RegionChamp', { region: { name: 'Bretagne', code: '53' } }, { code: '53', name: 'Bretagne' }],
		['PaysChamp', { pays: { name: 'France', code: 'FR' } }, { code: 'FR', name: 'France' }],
		['DossierLinkChamp', { dossier: { id: 'x', number: 10002, state: 'accepte' } }, 10002],
		['DossierLinkChamp', { dossier: null, stringValue: '10007' }, 10007],
		['DossierLinkChamp', { dossier: null }, null],
		['EngagementJuridiqueChamp', { engagementJuridique: { montantEngage: '1500', montantPaye: '250.5' } }, { montantEngage: 1500, montantPaye: 250.5 }],
		['TitreIdentiteChamp', { filled: true, grantType: 'france_connect' }, { filled: true, grantType: 'france_connect' }],
	])('%s %j → %j', (typename, fields, expected) => {
		expect(champValue(champ(typename, 'X', fields))).toEqual(expected);
	});

	it('gives files as {filename, contentType, byteSize, checksum, url}', () => {
		const value = champValue(
			champ('PieceJustificativeChamp', 'PJ', {
				files: [
					{ __typename: 'File', filename: 'a.pdf', contentType: 'application/pdf', checksum: 'abc==', byteSizeBigInt: '2048', url: 'https://s/a', createdAt: '2024-01-01T00:00:00Z' },
					{ __typename: 'File', filename: 'big.bin', contentType: 'application/octet-stream', checksum: 'def==', byteSizeBigInt: '9007199254740993', url: 'https://s/b', createdAt: '2024-01-01T00:00:00Z' },
				],
			}),
		);
		expect(value).toEqual([
			{ filename: 'a.pdf', contentType: 'application/pdf', byteSize: 2048, checksum: 'abc==', url: 'https://s/a' },
			{ filename: 'big.bin', contentType: 'application/octet-stream', byteSize: '9007199254740993', checksum: 'def==', url: 'https://s/b' },
		]);
	});

	it('gives an address as its compact object, and keeps a hand-typed address as a label', () => {
		const structured = champValue(
			champ('AddressChamp', 'Adresse', {
				stringValue: '12 rue de la Paix 75002 Paris',
				address: { label: '12 rue de la Paix 75002 Paris', type: 'housenumber', streetNumber: '12', streetName: 'rue de la Paix', postalCode: '75002', cityName: 'Paris', cityCode: '75102', departmentCode: '75', departmentName: 'Paris', regionCode: '11', regionName: 'Île-de-France', countryCode: 'FR', countryName: 'France', streetAddress: '12 rue de la Paix' },
				commune: { name: 'Paris', code: '75102', postalCode: '75002' },
				departement: { name: 'Paris', code: '75' },
			}),
		);
		expect(structured).toEqual({
			label: '12 rue de la Paix 75002 Paris',
			type: 'housenumber',
			streetAddress: '12 rue de la Paix',
			streetNumber: '12',
			streetName: 'rue de la Paix',
			postalCode: '75002',
			cityName: 'Paris',
			cityCode: '75102',
			departmentCode: '75',
			departmentName: 'Paris',
			regionCode: '11',
			regionName: 'Île-de-France',
			countryCode: 'FR',
			countryName: 'France',
		});
		expect(champValue(champ('AddressChamp', 'Adresse', { stringValue: 'Chemin des Vignes, Genève', address: null }))).toEqual({
			label: 'Chemin des Vignes, Genève',
		});
	});

	it('gives a commune with its département, an EPCI with its département', () => {
		expect(
			champValue(champ('CommuneChamp', 'Commune', { commune: { name: 'Lyon', code: '69123', postalCode: '69001' }, departement: { name: 'Rhône', code: '69' } })),
		).toEqual({ name: 'Lyon', code: '69123', postalCode: '69001', departementCode: '69', departementName: 'Rhône' });
		expect(
			champValue(champ('EpciChamp', 'EPCI', { epci: { name: 'Métropole de Lyon', code: '200046977' }, departement: { name: 'Rhône', code: '69' } })),
		).toEqual({ code: '200046977', name: 'Métropole de Lyon', departementCode: '69', departementName: 'Rhône' });
	});

	it('gives a SIRET établissement flat, without the nulls', () => {
		expect(
			champValue(
				champ('SiretChamp', 'SIRET', {
					stringValue: '41816609600069',
					etablissement: {
						siret: '41816609600069',
						siegeSocial: true,
						naf: '62.02A',
						libelleNaf: 'Conseil en systèmes et logiciels informatiques',
						address: { label: '1 place X 69001 Lyon', type: 'housenumber', cityName: 'Lyon', postalCode: '69001', streetName: null },
						entreprise: { siren: '418166096', raisonSociale: 'OCTO', nomCommercial: null, formeJuridique: 'SA', formeJuridiqueCode: '5599', etatAdministratif: 'Actif', dateCreation: '1998-04-01', capitalSocial: '1000000', numeroTvaIntracommunautaire: 'FR44418166096' },
						association: null,
					},
				}),
			),
		).toEqual({
			siret: '41816609600069',
			siegeSocial: true,
			naf: '62.02A',
			libelleNaf: 'Conseil en systèmes et logiciels informatiques',
			siren: '418166096',
			raisonSociale: 'OCTO',
			formeJuridique: 'SA',
			formeJuridiqueCode: '5599',
			etatAdministratif: 'Actif',
			dateCreation: '1998-04-01',
			capitalSocial: 1000000,
			numeroTvaIntracommunautaire: 'FR44418166096',
			address: { label: '1 place X 69001 Lyon', type: 'housenumber', cityName: 'Lyon', postalCode: '69001' },
		});
	});

	it('gives RNA and RNF as {rna|rnf, title}', () => {
		expect(champValue(champ('RNAChamp', 'RNA', { rna: { id: 'W751234567', title: 'Les Amis du Parc', address: null }, commune: null }))).toEqual({
			rna: 'W751234567',
			title: 'Les Amis du Parc',
		});
		expect(champValue(champ('RNFChamp', 'RNF', { rnf: { id: '075-FDD-00001-01', title: 'Fondation', address: null } }))).toEqual({
			rnf: '075-FDD-00001-01',
			title: 'Fondation',
		});
	});

	it('gives map areas without their typename', () => {
		expect(
			champValue(champ('CarteChamp', 'Carte', { geoAreas: [{ __typename: 'SelectionUtilisateur', id: 'g1', source: 'selection_utilisateur', description: 'Zone' }] })),
		).toEqual([{ id: 'g1', source: 'selection_utilisateur', description: 'Zone' }]);
	});

	it('falls back to stringValue for a type it does not know (a fork\'s)', () => {
		expect(champValue(champ('CommuneDePolynesieChamp', 'Île', { stringValue: 'Papeete - Tahiti - 98714' }))).toBe('Papeete - Tahiti - 98714');
	});

	it('keeps integers beyond 2^53 as strings and reads French decimal commas', () => {
		expect(toInteger('9007199254740991')).toBe(9007199254740991);
		expect(toInteger('9007199254740992')).toBe('9007199254740992');
		expect(toDecimal('12,5')).toBe(12.5);
		expect(toDecimal('1 234,25')).toBe(1234.25);
	});
});

describe('champs keyed by label', () => {
	it('suffixes repeated labels with (2), (3) in form order, and leaves out layout champs', () => {
		const champs = [
			champ('HeaderSectionChamp', 'Votre projet', { level: 1 }),
			champ('ExplicationChamp', 'Merci de remplir'),
			champ('TextChamp', 'Commentaire', { value: 'court' }),
			champ('TextChamp', 'Commentaire', { value: 'long' }),
			champ('TextChamp', 'Commentaire', { value: 'troisième' }),
			champ('TextChamp', 'Nom', { value: 'Camille' }),
		];
		expect(simplifyChamps(champs)).toEqual({
			Commentaire: 'court',
			'Commentaire (2)': 'long',
			'Commentaire (3)': 'troisième',
			Nom: 'Camille',
		});
	});

	it('never overwrites a champ literally labelled like a suffixed key', () => {
		const champs = [
			champ('TextChamp', 'Note', { value: 'a' }),
			champ('TextChamp', 'Note (2)', { value: 'b' }),
			champ('TextChamp', 'Note', { value: 'c' }),
		];
		const simplified = simplifyChamps(champs);
		expect(Object.keys(simplified)).toHaveLength(3);
		expect(simplified.Note).toBe('a');
		expect(simplified['Note (2)']).toBe('b');
		expect(Object.values(simplified)).toContain('c');
	});

	it('gives repetitions as row objects keyed the same way', () => {
		const repetition = champ('RepetitionChamp', 'Membres du bureau', {
			rows: [
				{ id: 'r1', champs: [champ('TextChamp', 'Nom', { value: 'Camille Martin' }), champ('DateChamp', 'Date', { date: '2021-09-01' }), champ('TextChamp', 'Nom', { value: 'bis' })] },
				{ id: 'r2', champs: [champ('TextChamp', 'Nom', { value: 'Hugo Bernard' }), champ('DateChamp', 'Date', { date: null })] },
			],
		});
		expect(simplifyChamps([repetition])).toEqual({
			'Membres du bureau': [
				{ Nom: 'Camille Martin', Date: '2021-09-01', 'Nom (2)': 'bis' },
				{ Nom: 'Hugo Bernard', Date: null },
			],
		});
	});
});

describe('descriptors decide where the dossier alone is ambiguous', () => {
	const descriptors = indexDescriptors(1001, {
		id: 'rev',
		champDescriptors: [
			{ __typename: 'IntegerNumberChampDescriptor', id: 'desc-Effectif', label: 'Effectif' },
			{ __typename: 'YesNoChampDescriptor', id: 'desc-Oui', label: 'Oui' },
			{ __typename: 'HeaderSectionChampDescriptor', id: 'desc-Titre', label: 'Titre' },
			{ __typename: 'DecimalNumberChampDescriptor', id: 'desc-Montant', label: 'Montant' },
		],
		annotationDescriptors: [],
	});

	it('types an unknown fork type from its descriptor', () => {
		expect(champValue(champ('ForkNumberChamp', 'Effectif', { champDescriptorId: 'desc-Effectif', stringValue: '42' }), descriptors)).toBe(42);
		expect(champValue(champ('ForkDecimalChamp', 'Montant', { champDescriptorId: 'desc-Montant', stringValue: '3,75' }), descriptors)).toBe(3.75);
	});

	it('reads a yes/no served as a checkbox (fallback) with "unanswered" kept', () => {
		expect(champValue(champ('CheckboxChamp', 'Oui', { champDescriptorId: 'desc-Oui', checked: false, stringValue: null }), descriptors)).toBeNull();
		expect(champValue(champ('CheckboxChamp', 'Oui', { champDescriptorId: 'desc-Oui', checked: true, stringValue: 'true' }), descriptors)).toBe(true);
	});

	it('leaves out a section header served as text', () => {
		const out = simplifyChamps([champ('TextChamp', 'Titre', { champDescriptorId: 'desc-Titre', value: null })], descriptors);
		expect(out).toEqual({});
	});

	it('asks for descriptors only when a champ type is unknown, repetition rows included', () => {
		expect(dossierNeedsDescriptors({ champs: [champ('TextChamp', 'A', { value: 'x' })], annotations: [] })).toBe(false);
		expect(dossierNeedsDescriptors({ champs: [champ('ForkChamp', 'A')] })).toBe(true);
		expect(
			dossierNeedsDescriptors({ annotations: [champ('RepetitionChamp', 'R', { rows: [{ id: 'r', champs: [champ('ForkChamp', 'B')] }] })] }),
		).toBe(true);
	});
});

describe('the simplified dossier', () => {
	const dossier = {
		__typename: 'Dossier',
		id: 'RG9zc2llci0xMDAwMQ==',
		number: 10001,
		state: 'en_instruction',
		archived: false,
		prefilled: false,
		dateDepot: '2024-01-08T09:00:00+01:00',
		datePassageEnInstruction: '2024-01-10T09:00:00+01:00',
		dateTraitement: null,
		dateDerniereModification: '2024-02-01T12:00:00+01:00',
		motivation: null,
		demarche: { number: 1001, title: 'Démo' },
		groupeInstructeur: { id: 'g', number: 501, label: 'défaut' },
		usager: { email: 'camille@exemple.fr' },
		demandeur: { __typename: 'PersonnePhysique', civilite: 'Mme', nom: 'Martin', prenom: 'Camille', email: null, dateDeNaissance: null },
		labels: [{ id: 'l1', name: 'Urgent', color: 'red' }],
		instructeurs: [{ id: 'i1', email: 'claire@exemple.gouv.fr' }],
		champs: [champ('TextChamp', 'Nom du projet', { value: 'Jardin' })],
		annotations: [champ('CheckboxChamp', 'Pièces vérifiées', { checked: true })],
		attestation: null,
	};

	it('is flat, with labels and instructeurs as lists of names and e-mails', () => {
		expect(simplifyDossier(dossier)).toEqual({
			number: 10001,
			id: 'RG9zc2llci0xMDAwMQ==',
			state: 'en_instruction',
			archived: false,
			dateDepot: '2024-01-08T09:00:00+01:00',
			datePassageEnInstruction: '2024-01-10T09:00:00+01:00',
			dateTraitement: null,
			dateDerniereModification: '2024-02-01T12:00:00+01:00',
			demarche: { number: 1001, title: 'Démo' },
			groupeInstructeur: { number: 501, label: 'défaut' },
			demandeur: { type: 'personnePhysique', civilite: 'Mme', nom: 'Martin', prenom: 'Camille' },
			usager: { email: 'camille@exemple.fr' },
			motivation: null,
			labels: ['Urgent'],
			instructeurs: ['claire@exemple.gouv.fr'],
			champs: { 'Nom du projet': 'Jardin' },
			annotations: { 'Pièces vérifiées': true },
			attestation: null,
		});
	});

	it('leaves out the parts the document did not ask for', () => {
		const { champs, annotations, labels, instructeurs, attestation, ...core } = dossier;
		const simplified = simplifyDossier(core);
		for (const absent of ['champs', 'annotations', 'labels', 'instructeurs', 'attestation', 'messages']) {
			expect(simplified).not.toHaveProperty(absent);
		}
		expect(simplified.number).toBe(10001);
	});

	it('gives a personne morale demandeur flat', () => {
		const simplified = simplifyDossier({
			...dossier,
			demandeur: { __typename: 'PersonneMorale', siret: '41816609600069', siegeSocial: false, naf: '62.02A', libelleNaf: 'Conseil', address: null, entreprise: { siren: '418166096', raisonSociale: 'OCTO' }, association: { rna: 'W1', titre: 'Asso', objet: null } },
		});
		expect(simplified.demandeur).toEqual({
			type: 'personneMorale',
			siret: '41816609600069',
			siegeSocial: false,
			naf: '62.02A',
			libelleNaf: 'Conseil',
			siren: '418166096',
			raisonSociale: 'OCTO',
			association: { rna: 'W1', titre: 'Asso' },
		});
	});
});
