//! The interface's languages. Every string a page shows comes from a Fluent catalogue in
//! `locales/<lang>/*.ftl`, compiled into the binary; each area of the interface keeps its own
//! file so that the catalogues stay readable.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The languages the interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag, as `<html lang>` names it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    /// A language named by a tag such as `fr`, `fr-CA` or `en_GB`, if we have it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header, by its quality values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("");
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_tag(tag)
                && quality > 0.0
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

macro_rules! catalogue {
    ($lang:literal) => {
        [
            include_str!(concat!("../locales/", $lang, "/common.ftl")),
            include_str!(concat!("../locales/", $lang, "/public.ftl")),
            include_str!(concat!("../locales/", $lang, "/account.ftl")),
            include_str!(concat!("../locales/", $lang, "/client.ftl")),
            include_str!(concat!("../locales/", $lang, "/admin.ftl")),
            include_str!(concat!("../locales/", $lang, "/data.ftl")),
        ]
    };
}

const EN: [&str; 6] = catalogue!("en");
const FR: [&str; 6] = catalogue!("fr");

fn bundle(lang: Lang, sources: &[&'static str]) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks would show up inside attribute values and text fields.
    bundle.set_use_isolating(false);
    for source in sources {
        match FluentResource::try_new((*source).to_owned()) {
            Ok(resource) => {
                if let Err(errors) = bundle.add_resource(resource) {
                    tracing::error!(
                        lang = lang.tag(),
                        ?errors,
                        "duplicate message in a catalogue"
                    );
                }
            }
            Err((_, errors)) => {
                tracing::error!(lang = lang.tag(), ?errors, "a catalogue does not parse");
            }
        }
    }
    bundle
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| [bundle(Lang::En, &EN), bundle(Lang::Fr, &FR)]);

/// Translations in one language, handed to every template.
#[derive(Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    fn bundle(&self) -> &'static FluentBundle<FluentResource> {
        match self.lang {
            Lang::En => &BUNDLES[0],
            Lang::Fr => &BUNDLES[1],
        }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            // A missing key is a bug the catalogue test catches; show the key, not nothing.
            tracing::warn!(lang = self.lang.tag(), id, "missing translation");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                lang = self.lang.tag(),
                id,
                ?errors,
                "translation needs arguments"
            );
        }
        text.into_owned()
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl Into<ArgValue>) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), value.into().0);
        self.format(id, Some(&args))
    }

    /// The message `id` with two arguments.
    pub fn t2(
        &self,
        id: &str,
        name: &str,
        value: impl Into<ArgValue>,
        name2: &str,
        value2: impl Into<ArgValue>,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), value.into().0);
        args.set(name2.to_owned(), value2.into().0);
        self.format(id, Some(&args))
    }
}

/// A value for a message argument: text or a number (numbers choose plural forms).
pub struct ArgValue(FluentValue<'static>);

impl From<&str> for ArgValue {
    fn from(value: &str) -> Self {
        ArgValue(FluentValue::from(value.to_owned()))
    }
}

impl From<&String> for ArgValue {
    fn from(value: &String) -> Self {
        ArgValue(FluentValue::from(value.clone()))
    }
}

impl From<String> for ArgValue {
    fn from(value: String) -> Self {
        ArgValue(FluentValue::from(value))
    }
}

impl From<i64> for ArgValue {
    fn from(value: i64) -> Self {
        ArgValue(FluentValue::from(value))
    }
}

impl From<&i64> for ArgValue {
    fn from(value: &i64) -> Self {
        ArgValue(FluentValue::from(*value))
    }
}

impl From<usize> for ArgValue {
    fn from(value: usize) -> Self {
        ArgValue(FluentValue::from(value as i64))
    }
}

impl From<&usize> for ArgValue {
    fn from(value: &usize) -> Self {
        ArgValue(FluentValue::from(*value as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_ids(sources: &[&str]) -> Vec<String> {
        let mut ids = Vec::new();
        for source in sources {
            let resource = match FluentResource::try_new((*source).to_owned()) {
                Ok(resource) => resource,
                Err((_, errors)) => panic!("a catalogue does not parse: {errors:?}"),
            };
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(message) = entry {
                    ids.push(message.id.name.to_owned());
                }
            }
        }
        ids.sort();
        ids
    }

    #[test]
    fn both_catalogues_have_the_same_messages() {
        let en = message_ids(&EN);
        let fr = message_ids(&FR);
        let missing_in_fr: Vec<_> = en.iter().filter(|id| !fr.contains(id)).collect();
        let missing_in_en: Vec<_> = fr.iter().filter(|id| !en.contains(id)).collect();
        assert!(
            missing_in_fr.is_empty(),
            "missing in French: {missing_in_fr:?}"
        );
        assert!(
            missing_in_en.is_empty(),
            "missing in English: {missing_in_en:?}"
        );
        let mut unique = en.clone();
        unique.dedup();
        assert_eq!(unique.len(), en.len(), "a message is defined twice");
    }

    #[test]
    fn messages_are_translated_with_plurals() {
        let en = Tr::new(Lang::En);
        let fr = Tr::new(Lang::Fr);
        assert_eq!(en.t("nav-sign-in"), "Sign in");
        assert_eq!(fr.t("nav-sign-in"), "Se connecter");
        assert_eq!(en.t1("count-posts", "count", 1i64), "1 post");
        assert_eq!(en.t1("count-posts", "count", 2i64), "2 posts");
        assert_eq!(fr.t1("count-posts", "count", 1i64), "1 message");
        assert_eq!(fr.t1("count-posts", "count", 3i64), "3 messages");
    }

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(
            Lang::from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(
            Lang::from_accept_language("de,en;q=0.5,fr;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de, it"), None);
        assert_eq!(Lang::from_accept_language("fr;q=0, en"), Some(Lang::En));
    }
}
