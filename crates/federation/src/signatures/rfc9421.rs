//! RFC 9421 HTTP Message Signatures: `Signature-Input` and `Signature` as structured-field
//! dictionaries, and the signature base of section 2.5. Newer Mastodon versions send these.

use sfv::{
    BareItem, Dictionary, InnerList, Item, ItemSerializer, KeyRef, ListEntry, ListSerializer,
    Parameters, Parser, StringRef, Version, key_ref,
};

use super::public_key::Algorithm;
use super::request::RequestView;
use super::{
    MAX_COVERED_COMPONENTS, MAX_KEY_ID_LEN, MAX_SIGNATURE_LEN, MAX_SIGNING_STRING_LEN,
    SignatureError,
};

const INPUT: &str = "Signature-Input";
const SIGNATURE: &str = "Signature";

// Evaluated at compile time, so a typo fails the build instead of panicking at run time.
const CREATED: &KeyRef = key_ref("created");
const KEYID: &KeyRef = key_ref("keyid");
const ALG: &KeyRef = key_ref("alg");

/// One RFC 9421 signature taken from a request, with its signature base already built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rfc9421Signature {
    pub label: String,
    pub components: Vec<String>,
    pub key_id: String,
    /// `None` when `alg` is absent: the key's type decides.
    pub algorithm: Option<Algorithm>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub signature: Vec<u8>,
    pub base: Vec<u8>,
}

/// Parses the two headers and builds the signature base for the first label present in both
/// (a request may carry several signatures; any one we can check is enough).
pub(crate) fn parse(
    request: &RequestView<'_>,
    signature_input: &str,
    signature: &str,
) -> Result<Rfc9421Signature, SignatureError> {
    let inputs = parse_dictionary(signature_input, INPUT)?;
    let signatures = parse_dictionary(signature, SIGNATURE)?;
    let (label, list, signature_entry) = inputs
        .iter()
        .find_map(|(label, input)| signatures.get(label).map(|sig| (label, input, sig)))
        .ok_or_else(|| {
            SignatureError::malformed(SIGNATURE, "no signature has a Signature-Input label")
        })?;
    let ListEntry::InnerList(list) = list else {
        return Err(SignatureError::malformed(
            INPUT,
            "a member is not an inner list",
        ));
    };
    let signature = match signature_entry {
        ListEntry::Item(item) => item.bare_item.as_byte_sequence(),
        ListEntry::InnerList(_) => None,
    }
    .ok_or_else(|| SignatureError::malformed(SIGNATURE, "the value is not a byte sequence"))?
    .to_vec();
    if signature.len() > MAX_SIGNATURE_LEN {
        return Err(SignatureError::TooLarge("the signature"));
    }

    let mut key_id = None;
    let mut algorithm = None;
    let mut created = None;
    let mut expires = None;
    for (name, value) in &list.params {
        match name.as_str() {
            "keyid" => key_id = Some(string_param(value, "keyid")?),
            "alg" => algorithm = Some(parse_algorithm(&string_param(value, "alg")?)?),
            "created" => created = Some(integer_param(value, "created")?),
            "expires" => expires = Some(integer_param(value, "expires")?),
            // `nonce`, `tag` and later additions are signed through `@signature-params`, and a
            // verifier that does not use them may ignore them.
            _ => {}
        }
    }
    // RFC 9421 lets the verifier know the key by other means; in the Fediverse only keyid does.
    let key_id = key_id
        .filter(|id| !id.is_empty())
        .ok_or(SignatureError::MissingParameter("keyid"))?;
    if key_id.len() > MAX_KEY_ID_LEN {
        return Err(SignatureError::TooLarge("keyid"));
    }
    let (base, components) = signature_base(request, list)?;
    Ok(Rfc9421Signature {
        label: label.as_str().to_owned(),
        components,
        key_id,
        algorithm,
        created,
        expires,
        signature,
        base,
    })
}

/// RFC 9421 signatures use RFC 8941 structured fields (no dates, no display strings).
fn parse_dictionary(value: &str, header: &'static str) -> Result<Dictionary, SignatureError> {
    Parser::new(value)
        .with_version(Version::Rfc8941)
        .parse()
        .map_err(|e| SignatureError::malformed(header, e.to_string()))
}

fn string_param(value: &BareItem, name: &str) -> Result<String, SignatureError> {
    value
        .as_string()
        .map(|s| s.as_str().to_owned())
        .ok_or_else(|| SignatureError::malformed(INPUT, format!("{name} is not a string")))
}

fn integer_param(value: &BareItem, name: &str) -> Result<i64, SignatureError> {
    value
        .as_integer()
        .map(i64::from)
        .ok_or_else(|| SignatureError::malformed(INPUT, format!("{name} is not an integer")))
}

fn parse_algorithm(name: &str) -> Result<Algorithm, SignatureError> {
    match name {
        "rsa-v1_5-sha256" => Ok(Algorithm::RsaPkcs1Sha256),
        "ed25519" => Ok(Algorithm::Ed25519),
        other => Err(SignatureError::UnsupportedAlgorithm(other.to_owned())),
    }
}

/// Builds the signature base (RFC 9421 section 2.5): one `"component": value` line per covered
/// component, then the `"@signature-params"` line, which is the inner list re-serialized.
/// Returns the base and the covered component names.
pub(crate) fn signature_base(
    request: &RequestView<'_>,
    list: &InnerList,
) -> Result<(Vec<u8>, Vec<String>), SignatureError> {
    if list.items.len() > MAX_COVERED_COMPONENTS {
        return Err(SignatureError::TooLarge("the list of covered components"));
    }
    let mut base = Vec::new();
    let mut names: Vec<String> = Vec::with_capacity(list.items.len());
    for item in &list.items {
        let name = item
            .bare_item
            .as_string()
            .ok_or_else(|| SignatureError::malformed(INPUT, "a component is not a string"))?
            .as_str();
        if let Some((param, _)) = item.params.first() {
            // `;sf`, `;key`, `;bs`, `;req`, `;tr` and `@query-param;name` change how the value
            // is derived; nobody in the Fediverse uses them yet.
            return Err(SignatureError::UnsupportedComponent(format!(
                "{name};{}",
                param.as_str()
            )));
        }
        if names.iter().any(|n| n == name) {
            return Err(SignatureError::malformed(
                INPUT,
                format!("{name} is covered twice"),
            ));
        }
        let value = component_value(request, name)?;
        let identifier = ItemSerializer::new().bare_item(&item.bare_item).finish();
        base.extend_from_slice(identifier.as_bytes());
        base.extend_from_slice(b": ");
        base.extend_from_slice(&value);
        base.push(b'\n');
        if base.len() > MAX_SIGNING_STRING_LEN {
            return Err(SignatureError::TooLarge("the signature base"));
        }
        names.push(name.to_owned());
    }
    base.extend_from_slice(b"\"@signature-params\": ");
    base.extend_from_slice(serialize_inner_list(list).as_bytes());
    Ok((base, names))
}

/// The value of one component: a derived `@…` component or a header field.
fn component_value(request: &RequestView<'_>, name: &str) -> Result<Vec<u8>, SignatureError> {
    Ok(match name {
        "@method" => request.method.as_str().as_bytes().to_vec(),
        "@target-uri" => request.target_uri()?.into_bytes(),
        "@authority" => request.authority()?.into_bytes(),
        "@scheme" => request.scheme().into_bytes(),
        "@request-target" => request.request_target().into_bytes(),
        "@path" => request.path().as_bytes().to_vec(),
        "@query" => request.query().into_bytes(),
        "@signature-params" => {
            return Err(SignatureError::malformed(
                INPUT,
                "@signature-params cannot be covered",
            ));
        }
        derived if derived.starts_with('@') => {
            return Err(SignatureError::UnsupportedComponent(derived.to_owned()));
        }
        field => {
            // Field names are compared lower-case; RFC 9421 requires senders to write them so.
            if field.is_empty() || field.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(SignatureError::malformed(
                    INPUT,
                    format!("bad field name {field:?}"),
                ));
            }
            request.header_value(field)?
        }
    })
}

/// Serializes an inner list with its parameters, exactly as it appears after `label=`.
fn serialize_inner_list(list: &InnerList) -> String {
    let mut serializer = ListSerializer::new();
    {
        let mut inner = serializer.inner_list();
        inner.items(&list.items);
        let _ = inner.finish().parameters(&list.params);
    }
    // `finish` is `None` only for an empty list, and one member was just written.
    serializer.finish().unwrap_or_default()
}

/// The covered components and parameters of a signature this server makes.
pub(crate) fn signature_params(
    components: &[&str],
    created: i64,
    key_id: &str,
    algorithm: Algorithm,
) -> Result<InnerList, SignatureError> {
    let mut items = Vec::with_capacity(components.len());
    for component in components {
        let name = StringRef::from_str(component)
            .map_err(|_| SignatureError::UnsupportedComponent((*component).to_owned()))?;
        items.push(Item::new(name));
    }
    let key_id = StringRef::from_str(key_id).map_err(|_| SignatureError::InvalidKeyId)?;
    let created = sfv::Integer::try_from(created)
        .map_err(|_| SignatureError::malformed("created", "out of range"))?;
    let mut params = Parameters::new();
    let alg = StringRef::from_str(algorithm.rfc9421_name())
        .map_err(|_| SignatureError::UnsupportedAlgorithm(algorithm.rfc9421_name().to_owned()))?;
    params.insert(CREATED.to_owned(), BareItem::Integer(created));
    params.insert(KEYID.to_owned(), BareItem::from(key_id));
    params.insert(ALG.to_owned(), BareItem::from(alg));
    Ok(InnerList::with_params(items, params))
}

/// The `Signature-Input` value for one labelled signature.
pub(crate) fn signature_input_header(label: &KeyRef, list: &InnerList) -> String {
    format!("{}={}", label.as_str(), serialize_inner_list(list))
}

/// The `Signature` value for one labelled signature: `label=:base64:`.
pub(crate) fn signature_header(label: &KeyRef, signature: &[u8]) -> String {
    format!(
        "{}={}",
        label.as_str(),
        ItemSerializer::new().bare_item(signature).finish()
    )
}
