//! Reading the Erlang terms of Akkoma's `config` table.
//!
//! Akkoma's ConfigDB stores each `(group, key)` of its configuration as
//! `:erlang.term_to_binary` of the Elixir value: keyword lists (lists of `{atom, value}`
//! tuples), text as binaries, booleans and `nil` as atoms, modules as atoms named
//! `Elixir.…`, and the Simple policy's entries as `{"domain", "reason"}` tuples. These
//! helpers say what a term is, or why it is not what was expected, in words for the report.

use eetf::Term;

/// Decodes one stored value.
pub fn decode(bytes: &[u8]) -> Result<Term, String> {
    Term::decode(bytes).map_err(|e| format!("unreadable Erlang term: {e}"))
}

/// What a term is, for messages ("expected text, found an integer").
pub fn describe(term: &Term) -> &'static str {
    match term {
        Term::Atom(_) => "an atom",
        Term::FixInteger(_) | Term::BigInteger(_) => "an integer",
        Term::Float(_) => "a number",
        Term::Binary(_) | Term::BitBinary(_) => "a binary",
        Term::ByteList(_) => "a character list",
        Term::List(_) | Term::ImproperList(_) => "a list",
        Term::Tuple(_) => "a tuple",
        Term::Map(_) => "a map",
        _ => "another kind of term",
    }
}

fn atom(term: &Term) -> Option<&str> {
    match term {
        Term::Atom(atom) => Some(&atom.name),
        _ => None,
    }
}

/// The elements of a list (`[]` included).
pub fn list(term: &Term) -> Result<&[Term], String> {
    match term {
        Term::List(list) => Ok(&list.elements),
        other => Err(format!("expected a list, found {}", describe(other))),
    }
}

/// A keyword list: `[{:name, value}, …]`, in order.
pub fn keyword(term: &Term) -> Result<Vec<(&str, &Term)>, String> {
    list(term)?
        .iter()
        .map(|element| match element {
            Term::Tuple(tuple) => match tuple.elements.as_slice() {
                [key, value] => atom(key)
                    .map(|key| (key, value))
                    .ok_or_else(|| "expected a keyword list, found a tuple without an atom".into()),
                _ => Err("expected a keyword list, found a tuple of another size".into()),
            },
            other => Err(format!(
                "expected a keyword list, found {} in it",
                describe(other)
            )),
        })
        .collect()
}

/// Text (an Elixir string is a UTF-8 binary); `nil` is `None`.
pub fn text(term: &Term) -> Result<Option<String>, String> {
    match term {
        Term::Binary(binary) => String::from_utf8(binary.bytes.clone())
            .map(Some)
            .map_err(|_| "expected text, found a binary that is not UTF-8".into()),
        Term::Atom(atom) if atom.name == "nil" => Ok(None),
        other => Err(format!("expected text, found {}", describe(other))),
    }
}

pub fn boolean(term: &Term) -> Result<bool, String> {
    match atom(term) {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        _ => Err(format!("expected true or false, found {}", describe(term))),
    }
}

/// A list of texts.
pub fn texts(term: &Term) -> Result<Vec<String>, String> {
    list(term)?
        .iter()
        .map(|element| text(element)?.ok_or_else(|| "expected text, found nil".to_owned()))
        .collect()
}

/// One entry of an instance list: `{"domain", "reason"}`, or a bare `"domain"` (Akkoma's
/// lists before reasons).
pub fn domain_entry(term: &Term) -> Result<(String, String), String> {
    match term {
        Term::Tuple(tuple) => match tuple.elements.as_slice() {
            [domain, reason] => {
                let domain = text(domain)?.ok_or("expected a domain, found nil")?;
                Ok((domain, text(reason)?.unwrap_or_default()))
            }
            _ => Err("expected {domain, reason}, found a tuple of another size".into()),
        },
        other => Ok((
            text(other)?.ok_or("expected a domain, found nil")?,
            String::new(),
        )),
    }
}

/// Module names without Elixir's `Elixir.` prefix: one module, or a list of them.
pub fn modules(term: &Term) -> Result<Vec<String>, String> {
    let name = |term: &Term| {
        atom(term)
            .map(|name| name.strip_prefix("Elixir.").unwrap_or(name).to_owned())
            .ok_or_else(|| format!("expected a module, found {}", describe(term)))
    };
    match term {
        Term::List(list) => list.elements.iter().map(name).collect(),
        other => Ok(vec![name(other)?]),
    }
}

#[cfg(test)]
pub mod build {
    //! Terms as Akkoma writes them, for tests.
    use eetf::{Atom, Binary, List, Term, Tuple};

    pub fn atom(name: &str) -> Term {
        Term::from(Atom::from(name))
    }
    pub fn text(value: &str) -> Term {
        Term::from(Binary::from(value.as_bytes()))
    }
    pub fn tuple(elements: Vec<Term>) -> Term {
        Term::from(Tuple::from(elements))
    }
    pub fn list(elements: Vec<Term>) -> Term {
        Term::from(List::from(elements))
    }
    pub fn keyword(pairs: Vec<(&str, Term)>) -> Term {
        list(
            pairs
                .into_iter()
                .map(|(key, value)| tuple(vec![atom(key), value]))
                .collect(),
        )
    }
    pub fn encode(term: &Term) -> Vec<u8> {
        let mut bytes = Vec::new();
        term.encode(&mut bytes).unwrap_or_default();
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::build as b;
    use super::*;

    #[test]
    fn reads_what_configdb_wrote() {
        // `config :pleroma, :instance, name: "Bleroma"` as Akkoma's own documentation shows
        // ConfigDB inserting it.
        let bytes = [
            131, 108, 0, 0, 0, 1, 104, 2, 100, 0, 4, 110, 97, 109, 101, 109, 0, 0, 0, 7, 66, 108,
            101, 114, 111, 109, 97, 106,
        ];
        let term = decode(&bytes).unwrap();
        let pairs = keyword(&term).unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].0, "name");
        assert_eq!(text(pairs[0].1).unwrap().as_deref(), Some("Bleroma"));
    }

    #[test]
    fn entries_modules_and_mistakes() {
        let entries = b::list(vec![
            b::tuple(vec![b::text("spam.example"), b::text("spam")]),
            b::text("legacy.example"),
        ]);
        let read: Vec<(String, String)> = list(&entries)
            .unwrap()
            .iter()
            .map(|t| domain_entry(t).unwrap())
            .collect();
        assert_eq!(
            read,
            vec![
                ("spam.example".to_owned(), "spam".to_owned()),
                ("legacy.example".to_owned(), String::new())
            ]
        );
        let policies = b::list(vec![b::atom(
            "Elixir.Pleroma.Web.ActivityPub.MRF.SimplePolicy",
        )]);
        assert_eq!(
            modules(&policies).unwrap(),
            vec!["Pleroma.Web.ActivityPub.MRF.SimplePolicy"]
        );
        assert_eq!(
            modules(&b::atom("Elixir.Pleroma.Web.ActivityPub.MRF.TagPolicy")).unwrap(),
            vec!["Pleroma.Web.ActivityPub.MRF.TagPolicy"]
        );
        assert!(boolean(&b::atom("true")).unwrap());
        assert_eq!(
            text(&Term::from(eetf::FixInteger::from(3))).unwrap_err(),
            "expected text, found an integer"
        );
        assert_eq!(text(&b::atom("nil")).unwrap(), None);
        assert!(decode(&[131, 255]).unwrap_err().starts_with("unreadable"));
        assert!(keyword(&b::list(vec![b::text("x")])).is_err());
        // Round trip through the encoder the tests use.
        let again = decode(&b::encode(&entries)).unwrap();
        assert_eq!(list(&again).unwrap().len(), 2);
    }
}
