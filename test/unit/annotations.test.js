'use strict';
const {
	AnnotationValueError,
	convertAnnotationValue,
	legacyCalls,
	planAnnotations,
} = require('../../nodes/DemarcheNumerique/resolve/annotations');

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const d = (__typename, id, label, extra = {}) => ({ __typename, id: b64(`Champ-${id}`), label, ...extra });

const TEXT = d('TextChampDescriptor', 1, 'Référence interne');
const TEXTAREA = d('TextareaChampDescriptor', 2, 'Commentaire');
const EMAIL = d('EmailChampDescriptor', 3, 'Contact');
const CHECKBOX = d('CheckboxChampDescriptor', 4, 'Pièces vérifiées');
const YESNO = d('YesNoChampDescriptor', 5, 'Visite nécessaire');
const DATE = d('DateChampDescriptor', 6, 'Date de visite');
const DATETIME = d('DatetimeChampDescriptor', 7, 'Rendez-vous');
const INTEGER = d('IntegerNumberChampDescriptor', 8, 'Montant accordé');
const DECIMAL = d('DecimalNumberChampDescriptor', 9, 'Taux');
const DROPDOWN = d('DropDownListChampDescriptor', 10, 'Avis du service', { options: ['Favorable', 'Défavorable', 'Réservé'], otherOption: false });
const DROPDOWN_OTHER = d('DropDownListChampDescriptor', 11, 'Origine', { options: ['Mairie'], otherOption: true });
const MULTIPLE = d('MultipleDropDownListChampDescriptor', 12, 'Services consultés', { options: ['Voirie', 'Urbanisme', 'Eau, assainissement'] });
const LINK = d('DossierLinkChampDescriptor', 13, 'Dossier lié');
const REPETITION = d('RepetitionChampDescriptor', 14, 'Suivi', { champDescriptors: [d('TextChampDescriptor', 15, 'Étape')] });
const PHONE = d('PhoneChampDescriptor', 16, 'Téléphone');
const IBAN = d('IbanChampDescriptor', 17, 'IBAN');
const FORMATTED = d('FormattedChampDescriptor', 18, 'Référence');
const CIVILITE = d('CiviliteChampDescriptor', 19, 'Civilité');
const PAYS = d('PaysChampDescriptor', 20, 'Pays');
const REGION = d('RegionChampDescriptor', 21, 'Région');
const DEPARTEMENT = d('DepartementChampDescriptor', 22, 'Département');
const FILE = d('PieceJustificativeChampDescriptor', 23, 'Pièce');
const ADDRESS = d('AddressChampDescriptor', 24, 'Adresse');
const ALL = [TEXT, TEXTAREA, EMAIL, CHECKBOX, YESNO, DATE, DATETIME, INTEGER, DECIMAL, DROPDOWN, DROPDOWN_OTHER, MULTIPLE, LINK, REPETITION, PHONE];

const fails = (fn, pattern) => {
	expect(fn).toThrow(AnnotationValueError);
	expect(fn).toThrow(pattern);
};

describe('convertAnnotationValue: each annotation type to its AnnotationValueInput member', () => {
	it('texts stay strings; an empty text clears it', () => {
		expect(convertAnnotationValue(TEXT, 'REF-42')).toEqual({ text: 'REF-42' });
		expect(convertAnnotationValue(TEXT, 42)).toEqual({ text: '42' });
		expect(convertAnnotationValue(TEXTAREA, 'ligne 1\nligne 2')).toEqual({ textarea: 'ligne 1\nligne 2' });
		expect(convertAnnotationValue(TEXT, '')).toEqual({ text: '' });
	});

	it('e-mails are checked', () => {
		expect(convertAnnotationValue(EMAIL, ' agent@mairie.fr ')).toEqual({ email: 'agent@mairie.fr' });
		fails(() => convertAnnotationValue(EMAIL, 'agent at mairie'), /not an e-mail/);
	});

	it('checkbox and yes/no take booleans, French and English words', () => {
		expect(convertAnnotationValue(CHECKBOX, true)).toEqual({ checkbox: true });
		expect(convertAnnotationValue(CHECKBOX, 'oui')).toEqual({ checkbox: true });
		expect(convertAnnotationValue(CHECKBOX, 'false')).toEqual({ checkbox: false });
		expect(convertAnnotationValue(CHECKBOX, '')).toEqual({ checkbox: false });
		expect(convertAnnotationValue(YESNO, 'Non')).toEqual({ yesNo: false });
		expect(convertAnnotationValue(YESNO, 1)).toEqual({ yesNo: true });
		fails(() => convertAnnotationValue(YESNO, 'peut-être'), /not a yes\/no value/);
		fails(() => convertAnnotationValue(YESNO, ''), /use true or false/);
	});

	it('dates become YYYY-MM-DD from ISO, date-times (date part as written), French dates and Date objects', () => {
		expect(convertAnnotationValue(DATE, '2026-03-31')).toEqual({ date: '2026-03-31' });
		expect(convertAnnotationValue(DATE, '2026-03-31T23:30:00+02:00')).toEqual({ date: '2026-03-31' });
		expect(convertAnnotationValue(DATE, '5/3/2026')).toEqual({ date: '2026-03-05' });
		expect(convertAnnotationValue(DATE, new Date('2026-07-14T00:00:00Z'))).toEqual({ date: '2026-07-14' });
		fails(() => convertAnnotationValue(DATE, '2026-02-30'), /not a date/);
		fails(() => convertAnnotationValue(DATE, 'demain'), /not a date/);
	});

	it('date-times keep an explicit offset and are completed otherwise', () => {
		expect(convertAnnotationValue(DATETIME, '2026-03-31T14:30:00+02:00')).toEqual({ datetime: '2026-03-31T14:30:00+02:00' });
		expect(convertAnnotationValue(DATETIME, '2026-03-31T12:30:00Z')).toEqual({ datetime: '2026-03-31T12:30:00Z' });
		expect(convertAnnotationValue(DATETIME, '2026-03-31')).toEqual({ datetime: '2026-03-31T00:00:00+00:00' });
		fails(() => convertAnnotationValue(DATETIME, '31/03/2026 14h'), /not a date and time/);
	});

	it('integers are whole numbers within the API\'s 32-bit Int', () => {
		expect(convertAnnotationValue(INTEGER, '1 500')).toEqual({ integerNumber: 1500 });
		expect(convertAnnotationValue(INTEGER, -7)).toEqual({ integerNumber: -7 });
		expect(convertAnnotationValue(INTEGER, '2147483647')).toEqual({ integerNumber: 2147483647 });
		fails(() => convertAnnotationValue(INTEGER, '2147483648'), /beyond/);
		fails(() => convertAnnotationValue(INTEGER, '12.5'), /not a whole number/);
		fails(() => convertAnnotationValue(INTEGER, ''), /cannot empty/);
	});

	it('decimals accept a French decimal comma', () => {
		expect(convertAnnotationValue(DECIMAL, '12,75')).toEqual({ decimalNumber: 12.75 });
		expect(convertAnnotationValue(DECIMAL, 0.5)).toEqual({ decimalNumber: 0.5 });
		fails(() => convertAnnotationValue(DECIMAL, 'douze'), /not a number/);
	});

	it('drop-downs are validated against their options (case forgiven, other option allowed when enabled)', () => {
		expect(convertAnnotationValue(DROPDOWN, 'Favorable')).toEqual({ dropDownList: 'Favorable' });
		expect(convertAnnotationValue(DROPDOWN, ' défavorable ')).toEqual({ dropDownList: 'Défavorable' });
		fails(() => convertAnnotationValue(DROPDOWN, 'Très favorable'), /not an option of "Avis du service". Options: "Favorable", "Défavorable", "Réservé"/);
		expect(convertAnnotationValue(DROPDOWN_OTHER, 'Préfecture')).toEqual({ dropDownList: 'Préfecture' });
	});

	it('multiple drop-downs take arrays, JSON arrays, one option containing a comma, or a comma list', () => {
		expect(convertAnnotationValue(MULTIPLE, ['Voirie', 'urbanisme'])).toEqual({ multipleDropDownList: ['Voirie', 'Urbanisme'] });
		expect(convertAnnotationValue(MULTIPLE, '["Voirie"]')).toEqual({ multipleDropDownList: ['Voirie'] });
		expect(convertAnnotationValue(MULTIPLE, 'Eau, assainissement')).toEqual({ multipleDropDownList: ['Eau, assainissement'] });
		expect(convertAnnotationValue(MULTIPLE, 'Voirie, Urbanisme')).toEqual({ multipleDropDownList: ['Voirie', 'Urbanisme'] });
		expect(convertAnnotationValue(MULTIPLE, '')).toEqual({ multipleDropDownList: [] });
		fails(() => convertAnnotationValue(MULTIPLE, 'Voirie, Police'), /"Police" is not an option/);
		fails(() => convertAnnotationValue(MULTIPLE, '[Voirie'), /not a JSON array/);
	});

	it('dossier links take a number or a dossier URL', () => {
		expect(convertAnnotationValue(LINK, 10042)).toEqual({ dossierLink: '10042' });
		expect(convertAnnotationValue(LINK, 'https://demarche.numerique.gouv.fr/procedures/1/dossiers/10043')).toEqual({ dossierLink: '10043' });
		fails(() => convertAnnotationValue(LINK, 'le dossier de M. Martin'), /not a dossier number/);
	});

	it('a repetition takes the number of rows to add', () => {
		expect(convertAnnotationValue(REPETITION, '2')).toEqual({ repetition: 2 });
		fails(() => convertAnnotationValue(REPETITION, '0'), /number of rows to add/);
	});

	it('types the API cannot write are refused by name', () => {
		fails(() => convertAnnotationValue(ADDRESS, '12 rue des Tilleuls'), /of type Address, which the API cannot write/);
	});

	it('the types of PR #13561, with the same kind of checks as the others', () => {
		expect(convertAnnotationValue(PHONE, '06 12 34 56 78')).toEqual({ phone: '06 12 34 56 78' });
		fails(() => convertAnnotationValue(PHONE, 'douze'), /not a phone number/);
		expect(convertAnnotationValue(IBAN, 'fr76 3000 6000 0112 3456 7890 189')).toEqual({ iban: 'FR7630006000011234567890189' });
		fails(() => convertAnnotationValue(IBAN, 'FR76 3000 6000 0112 3456 7890 188'), /not a valid IBAN/);
		expect(convertAnnotationValue(FORMATTED, ' AB-12 ')).toEqual({ formatted: 'AB-12' });
		for (const [input, civilite] of [['M.', 'M'], ['Monsieur', 'M'], ['m', 'M'], ['Mme', 'Mme'], ['madame', 'Mme']])
			expect(convertAnnotationValue(CIVILITE, input)).toEqual({ civilite });
		fails(() => convertAnnotationValue(CIVILITE, 'Mlle'), /not a civility: use M\. or Mme/);
		expect(convertAnnotationValue(PAYS, 'BE')).toEqual({ pays: 'BE' });
		expect(convertAnnotationValue(REGION, 'Bretagne')).toEqual({ regions: 'Bretagne' });
		expect(convertAnnotationValue(DEPARTEMENT, '29')).toEqual({ departements: '29' });
		fails(() => convertAnnotationValue(PAYS, ' '), /No value for "Pays"/);
	});

	it('a server without them (known by introspection) refuses them by name, before anything is sent', () => {
		const { checkValueKeys, newerKeys } = require('../../nodes/DemarcheNumerique/resolve/annotations');
		const planned = planAnnotations(ALL, [{ annotation: 'Référence interne', value: 'x' }, { annotation: 'Téléphone', value: '0612345678' }], { timeZone: 'UTC' });
		expect(newerKeys(planned).map((p) => p.descriptor.label)).toEqual(['Téléphone']);
		fails(() => checkValueKeys(planned, new Set(['text', 'date'])), /cannot write "Téléphone" \(Phone\) through the API.*PR #13561/);
		expect(() => checkValueKeys(planned, new Set(['text', 'phone']))).not.toThrow();
	});

	it('a file annotation names the binary properties to upload', () => {
		const [planned] = planAnnotations([FILE], [{ annotation: 'Pièce', value: 'data, annexe' }], { timeZone: 'UTC' });
		expect(planned.binaryProperties).toEqual(['data', 'annexe']);
		fails(() => planAnnotations([FILE], [{ annotation: 'Pièce', value: '' }], { timeZone: 'UTC' }), /No value for "Pièce"/);
	});

	it('date-times without an offset are read in the workflow\'s time zone, and sent with it', () => {
		const paris = { timeZone: 'Europe/Paris' };
		expect(convertAnnotationValue(DATETIME, '2026-03-31T14:30', paris)).toEqual({ datetime: '2026-03-31T14:30:00+02:00' });
		expect(convertAnnotationValue(DATETIME, '2026-01-15 09:00', paris)).toEqual({ datetime: '2026-01-15T09:00:00+01:00' });
		expect(convertAnnotationValue(DATETIME, '31/03/2026 14:30', paris)).toEqual({ datetime: '2026-03-31T14:30:00+02:00' });
		expect(convertAnnotationValue(DATETIME, '2026-03-31T14:30', { timeZone: 'America/New_York' })).toEqual({ datetime: '2026-03-31T14:30:00-04:00' });
		// An instant (a JS Date from an expression) keeps its instant, shown in the zone.
		expect(convertAnnotationValue(DATETIME, new Date('2026-03-31T12:30:00Z'), paris)).toEqual({ datetime: '2026-03-31T14:30:00+02:00' });
		// A date object's calendar date is the one in the zone, not in UTC.
		expect(convertAnnotationValue(DATE, new Date('2026-03-30T22:30:00Z'), paris)).toEqual({ date: '2026-03-31' });
	});
});

describe('planAnnotations', () => {
	it('finds each annotation by label or champ ID and converts its value', () => {
		const planned = planAnnotations(ALL, [
			{ annotation: 'Avis du service', value: 'Réservé' },
			{ annotation: INTEGER.id, value: '300' },
		]);
		expect(planned.map((p) => p.input)).toEqual([
			{ id: b64('Champ-10'), value: { dropDownList: 'Réservé' } },
			{ id: b64('Champ-8'), value: { integerNumber: 300 } },
		]);
	});

	it('reports every bad entry at once, naming what exists', () => {
		let error;
		try {
			planAnnotations(ALL, [
				{ annotation: 'Avis du srevice', value: 'Favorable' },
				{ annotation: 'Montant accordé', value: 'beaucoup' },
				{ annotation: 'Taux', value: '1' },
				{ annotation: 'taux', value: '2' },
			]);
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(AnnotationValueError);
		expect(error.message).toMatch(/No field "Avis du srevice".*"Avis du service"/);
		expect(error.message).toMatch(/"beaucoup" is not a whole number/);
		expect(error.message).toMatch(/"Taux" is listed twice/);
	});

	it('refuses an empty list', () => {
		fails(() => planAnnotations(ALL, []), /No annotation to update/);
	});
});

describe('legacyCalls: the deprecated per-type mutations for servers without the batch one', () => {
	it('maps each type to its mutation and adds one row per AjouterLigne call', () => {
		const planned = planAnnotations(ALL, [
			{ annotation: 'Référence interne', value: 'A' },
			{ annotation: 'Visite nécessaire', value: 'oui' },
			{ annotation: 'Date de visite', value: '2026-01-02' },
			{ annotation: 'Rendez-vous', value: '2026-01-02T10:00:00+01:00' },
			{ annotation: 'Montant accordé', value: '5' },
			{ annotation: 'Taux', value: '0,5' },
			{ annotation: 'Avis du service', value: 'Favorable' },
			{ annotation: 'Suivi', value: '2' },
		]);
		expect(legacyCalls(planned).map((call) => [call.kind, call.input.value])).toEqual([
			['Text', 'A'],
			['Checkbox', true],
			['Date', '2026-01-02'],
			['Datetime', '2026-01-02T10:00:00+01:00'],
			['IntegerNumber', 5],
			['DecimalNumber', 0.5],
			['DropDownList', 'Favorable'],
			['AjouterLigne', undefined],
			['AjouterLigne', undefined],
		]);
	});

	it('refuses, before any call, the types that have no legacy mutation', () => {
		const planned = planAnnotations(ALL, [
			{ annotation: 'Référence interne', value: 'A' },
			{ annotation: 'Services consultés', value: ['Voirie'] },
			{ annotation: 'Dossier lié', value: '12' },
			{ annotation: 'Contact', value: 'a@b.fr' },
		]);
		// The per-type Text mutation refuses e-mail annotations (`L’annotation … n’existe pas`).
		fails(() => legacyCalls(planned), /no dossierModifierAnnotations.*"Services consultés" \(multipleDropDownList\), "Dossier lié" \(dossierLink\), "Contact" \(email\)/);
	});
});
