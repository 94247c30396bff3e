/**
 * GraphQL fragments. The platform returns a champ with its real `__typename` only when the
 * document holds a fragment on that type (otherwise an address comes back as a TextChamp, a yes/no
 * as a CheckboxChamp…), so every concrete Champ type has its own fragment here.
 */
import type { IDataObject } from 'n8n-workflow';

/** A champ as the dossier documents return it (aliases from CHAMP_TYPE_SELECTIONS). */
export type RawChamp = IDataObject & {
	__typename?: string;
	label?: string;
	stringValue?: string | null;
};

/** The fields the platform puts on a File, as FileFields selects them. */
export interface RawFile {
	filename?: string;
	contentType?: string;
	checksum?: string;
	byteSizeBigInt?: string | number;
	byteSize?: number;
	url?: string;
}

export const FILE_FRAGMENT = /* GraphQL */ `
fragment FileFields on File {
  __typename
  filename
  contentType
  checksum
  byteSizeBigInt
  url
  createdAt
}`;

const ADDRESS_SELECTION = `
    label
    type
    streetAddress
    streetNumber
    streetName
    postalCode
    cityName
    cityCode
    departmentName
    departmentCode
    regionName
    regionCode
    countryCode
    countryName`;

export const ADDRESS_FRAGMENT = /* GraphQL */ `
fragment AddressFields on Address {${ADDRESS_SELECTION}
}`;

export const PERSONNE_MORALE_FRAGMENT = /* GraphQL */ `
fragment PersonneMoraleFields on PersonneMorale {
  siret
  siegeSocial
  naf
  libelleNaf
  address { ...AddressFields }
  entreprise {
    siren
    raisonSociale
    nomCommercial
    formeJuridique
    formeJuridiqueCode
    etatAdministratif
    dateCreation
    capitalSocial
    numeroTvaIntracommunautaire
  }
  association {
    rna
    titre
    objet
    dateCreation
    dateDeclaration
    datePublication
  }
}`;

/** One fragment per concrete Champ type, named `<Type>Fields`. */
export const CHAMP_TYPE_SELECTIONS: Record<string, string> = {
	TextChamp: 'value',
	DateChamp: 'date',
	DatetimeChamp: 'datetime',
	CheckboxChamp: 'checked: value',
	YesNoChamp: 'selected: value',
	IntegerNumberChamp: 'integerNumber: value',
	DecimalNumberChamp: 'decimalNumber: value',
	DropDownListChamp: 'choice: value',
	MultipleDropDownListChamp: 'values',
	LinkedDropDownListChamp: 'primaryValue secondaryValue',
	CiviliteChamp: 'civilite: value',
	PieceJustificativeChamp: 'files { ...FileFields }',
	AddressChamp:
		'address { ...AddressFields } commune { name code postalCode } departement { name code }',
	CommuneChamp: 'commune { name code postalCode } departement { name code }',
	DepartementChamp: 'departement { name code }',
	RegionChamp: 'region { name code }',
	PaysChamp: 'pays { name code }',
	EpciChamp: 'epci { name code } departement { name code }',
	SiretChamp: 'etablissement { ...PersonneMoraleFields }',
	RNAChamp: 'rna { id title address { ...AddressFields } } commune { name code postalCode }',
	RNFChamp: 'rnf { id title address { ...AddressFields } } commune { name code postalCode }',
	DossierLinkChamp: 'dossier { id number state }',
	EngagementJuridiqueChamp: 'engagementJuridique { montantEngage montantPaye }',
	TitreIdentiteChamp: 'filled grantType',
	HeaderSectionChamp: 'level',
	ExplicationChamp: '__typename',
	CarteChamp: 'geoAreas { __typename id source description }',
};

/** Same as CarteChamp above, with the (large) GeoJSON geometry of each area. */
const CARTE_WITH_GEOMETRY = 'geoAreas { __typename id source description geometry { type coordinates } }';

export interface ChampOptions {
	/** Include GeoJSON geometries of map champs (large). */
	geometry: boolean;
}

function champTypeFragments(options: ChampOptions): string {
	return Object.entries(CHAMP_TYPE_SELECTIONS)
		.map(([type, selection]) => {
			const fields = type === 'CarteChamp' && options.geometry ? CARTE_WITH_GEOMETRY : selection;
			return `\nfragment ${type}Fields on ${type} { ${fields} }`;
		})
		.join('');
}

const CHAMP_SPREADS = Object.keys(CHAMP_TYPE_SELECTIONS)
	.map((type) => `...${type}Fields`)
	.join(' ');

/**
 * `ChampFields` for a champ at any depth and `RootChampFields` adding repetition rows (the
 * platform has no nested repetitions, so one level of rows is complete).
 */
export function champFragments(options: ChampOptions): string {
	return `
fragment ChampFields on Champ {
  __typename
  id
  champDescriptorId
  label
  stringValue
  updatedAt
  prefilled
  ${CHAMP_SPREADS}
}
fragment RootChampFields on Champ {
  ...ChampFields
  ... on RepetitionChamp { rows { id champs { ...ChampFields } } }
}${champTypeFragments(options)}
${FILE_FRAGMENT}
${ADDRESS_FRAGMENT}
${PERSONNE_MORALE_FRAGMENT}`;
}

/** What a dossier document includes besides its core fields; every switch trims the payload. */
export interface DossierParts {
	champs: boolean;
	annotations: boolean;
	messages: boolean;
	avis: boolean;
	traitements: boolean;
	instructeurs: boolean;
	labels: boolean;
	geometry: boolean;
	/** Signed links to the attestation, the decision justificatif, the PDF export and the GeoJSON. */
	files: boolean;
}

/** The dossier fragment for a set of parts, with every fragment it depends on. */
export function dossierFragment(parts: DossierParts): string {
	const needsFiles = parts.champs || parts.annotations || parts.messages || parts.avis || parts.files;
	const needsChamps = parts.champs || parts.annotations;
	const lines = [
		'__typename',
		'id',
		'number',
		'state',
		'archived',
		'prefilled',
		'dateDepot',
		'datePassageEnConstruction',
		'datePassageEnInstruction',
		'dateTraitement',
		'dateDerniereModification',
		'dateDerniereModificationChamps',
		'dateDerniereModificationAnnotations',
		'dateDerniereCorrectionEnAttente',
		'dateExpiration',
		'dateSuppressionParUsager',
		'dateSuppressionParAdministration',
		'motivation',
		'deposeParUnTiers',
		'nomMandataire',
		'prenomMandataire',
		'demarche { number title }',
		'groupeInstructeur { id number label }',
		'usager { email }',
		`demandeur {
    __typename
    ... on PersonnePhysique { civilite nom prenom email dateDeNaissance }
    ... on PersonneMorale { ...PersonneMoraleFields }
    ... on PersonneMoraleIncomplete { siret }
  }`,
	];
	if (parts.files) {
		lines.push(
			'attestation { ...FileFields }',
			'motivationAttachment { ...FileFields }',
			'pdf { ...FileFields }',
			'geojson { ...FileFields }',
		);
	}
	if (parts.instructeurs) lines.push('instructeurs { id email }');
	if (parts.labels) lines.push('labels { id name color }');
	if (parts.traitements) {
		lines.push('traitements { id event state dateTraitement emailAgentTraitant motivation }');
	}
	if (parts.messages) {
		lines.push('messages { id email body createdAt discardedAt correction { reason dateResolution } attachments { ...FileFields } }');
	}
	if (parts.avis) {
		lines.push(
			'avis { id question reponse questionLabel questionAnswer dateQuestion dateReponse claimant { email } expert { email } attachments { ...FileFields } }',
		);
	}
	if (parts.champs) lines.push('champs { ...RootChampFields }');
	if (parts.annotations) lines.push('annotations { ...RootChampFields }');

	let fragments = `
fragment DossierFields on Dossier {
  ${lines.join('\n  ')}
}`;
	if (needsChamps) fragments += champFragments({ geometry: parts.geometry });
	else {
		fragments += `\n${ADDRESS_FRAGMENT}\n${PERSONNE_MORALE_FRAGMENT}`;
		if (needsFiles) fragments += `\n${FILE_FRAGMENT}`;
	}
	return fragments;
}
