//! Misskey Flavoured Markdown (MFM) to HTML, for remote posts whose HTML lost Misskey's
//! functions (`$[x2 big]` is sent as plain `<i>big</i>` by Misskey). Functions become FEP-c16b
//! spans (`<span class="mfm-x2">`), with `**bold**`, `~~strike~~`, `` `code` ``, code blocks,
//! quotes, `<center>`, `<small>`, `<i>`, `<b>`, `<plain>`, links, mentions and hashtags.
//!
//! The output is not trusted: the caller passes it through the remote-HTML sanitiser.

/// How deeply functions may nest; deeper ones are left as text.
const MAX_DEPTH: usize = 16;

/// Where mentions and hashtags point.
pub struct MfmLinks<'a> {
    /// `user@host` (or `user` for the author's own server) → the actor's page.
    pub mention: &'a dyn Fn(&str) -> Option<String>,
    pub tag: &'a dyn Fn(&str) -> String,
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
}

/// The post's MFM as HTML paragraphs.
pub fn mfm_to_html(source: &str, links: &MfmLinks<'_>) -> String {
    let mut out = String::new();
    let mut lines = source.lines().peekable();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut String| {
        if !paragraph.is_empty() {
            out.push_str("<p>");
            let joined = paragraph.join("\n");
            inline(&joined, links, 0, out);
            out.push_str("</p>");
            paragraph.clear();
        }
    };
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("```") {
            flush(&mut paragraph, &mut out);
            let mut code = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                code.push(inner);
            }
            out.push_str("<pre><code>");
            escape(&code.join("\n"), &mut out);
            out.push_str("</code></pre>");
        } else if let Some(quoted) = line.strip_prefix('>') {
            flush(&mut paragraph, &mut out);
            let mut quote = vec![quoted.trim_start()];
            while let Some(next) = lines.peek().and_then(|l| l.strip_prefix('>')) {
                quote.push(next.trim_start());
                lines.next();
            }
            out.push_str("<blockquote><p>");
            inline(&quote.join("\n"), links, 0, &mut out);
            out.push_str("</p></blockquote>");
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

/// The index of the `]` closing a `$[` whose content starts at `from`, counting nesting.
fn closing_bracket(text: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text[from..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(from + i),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A function's name and `data-mfm-*` arguments from `x2` or `fg.color=f00,flag`.
fn function_head(head: &str) -> Option<(String, Vec<(String, String)>)> {
    let mut parts = head.split('.');
    let name = parts.next()?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut arguments = Vec::new();
    if let Some(args) = parts.next() {
        for arg in args.split(',') {
            let (key, value) = arg.split_once('=').unwrap_or((arg, ""));
            arguments.push((format!("data-mfm-{key}"), value.to_owned()));
        }
    }
    Some((name.to_ascii_lowercase(), arguments))
}

/// Simple pairs: `**bold**`, `~~strike~~`, and MFM's HTML-like tags.
const PAIRS: [(&str, &str, &str, &str); 6] = [
    ("**", "**", "<b>", "</b>"),
    ("~~", "~~", "<del>", "</del>"),
    ("<b>", "</b>", "<b>", "</b>"),
    ("<i>", "</i>", "<i>", "</i>"),
    ("<small>", "</small>", "<small>", "</small>"),
    ("<center>", "</center>", "<center>", "</center>"),
];

fn inline(text: &str, links: &MfmLinks<'_>, depth: usize, out: &mut String) {
    let mut i = 0;
    let mut plain_from = 0;
    let push_plain = |from: usize, to: usize, out: &mut String| {
        for (n, line) in text[from..to].split('\n').enumerate() {
            if n > 0 {
                out.push_str("<br>");
            }
            escape(line, out);
        }
    };
    while i < text.len() {
        let rest = &text[i..];
        // `$[name.args content]`
        if depth < MAX_DEPTH
            && rest.starts_with("$[")
            && let Some(space) = rest[2..].find([' ', '\n']).map(|s| s + 2)
            && let Some((name, arguments)) = function_head(&rest[2..space])
            && let Some(end) = closing_bracket(rest, space + 1)
        {
            push_plain(plain_from, i, out);
            out.push_str(&format!("<span class=\"mfm-{name}\""));
            for (key, value) in &arguments {
                out.push(' ');
                escape(key, out);
                out.push_str("=\"");
                escape(value, out);
                out.push('"');
            }
            out.push('>');
            inline(&rest[space + 1..end], links, depth + 1, out);
            out.push_str("</span>");
            i += end + 1;
            plain_from = i;
            continue;
        }
        if let Some(code) = rest.strip_prefix('`')
            && let Some(end) = code.find('`')
        {
            push_plain(plain_from, i, out);
            out.push_str("<code>");
            escape(&code[..end], out);
            out.push_str("</code>");
            i += end + 2;
            plain_from = i;
            continue;
        }
        if let Some(inner) = rest.strip_prefix("<plain>")
            && let Some(end) = inner.find("</plain>")
        {
            push_plain(plain_from, i, out);
            escape(&inner[..end], out);
            i += "<plain>".len() + end + "</plain>".len();
            plain_from = i;
            continue;
        }
        if let Some((open, close, html_open, html_close)) =
            PAIRS.iter().find(|(open, ..)| rest.starts_with(open))
            && depth < MAX_DEPTH
            && let Some(end) = rest[open.len()..].find(close)
            && end > 0
        {
            push_plain(plain_from, i, out);
            out.push_str(html_open);
            inline(&rest[open.len()..open.len() + end], links, depth + 1, out);
            out.push_str(html_close);
            i += open.len() + end + close.len();
            plain_from = i;
            continue;
        }
        let boundary = i == 0 || !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        if boundary && (rest.starts_with("https://") || rest.starts_with("http://")) {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ']'))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ')', '!', '?']);
            push_plain(plain_from, i, out);
            out.push_str("<a href=\"");
            escape(url, out);
            out.push_str("\">");
            escape(url, out);
            out.push_str("</a>");
            i += url.len();
            plain_from = i;
            continue;
        }
        if boundary && let Some(name) = rest.strip_prefix('@') {
            let end = name
                .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '-')))
                .unwrap_or(name.len());
            let handle = name[..end].trim_end_matches(['.', '-']);
            if let Some(href) = (!handle.is_empty())
                .then(|| (links.mention)(handle))
                .flatten()
            {
                push_plain(plain_from, i, out);
                out.push_str("<span class=\"h-card\"><a href=\"");
                escape(&href, out);
                out.push_str("\" class=\"u-url mention\">@");
                escape(handle.split('@').next().unwrap_or(handle), out);
                out.push_str("</a></span>");
                i += 1 + handle.len();
                plain_from = i;
                continue;
            }
        }
        if boundary && let Some(name) = rest.strip_prefix('#') {
            let end = name
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(name.len());
            if end > 0 && !name[..end].chars().all(|c| c.is_ascii_digit()) {
                let tag = &name[..end];
                push_plain(plain_from, i, out);
                out.push_str("<a href=\"");
                escape(&(links.tag)(tag), out);
                out.push_str("\" class=\"mention hashtag\" rel=\"tag\">#");
                escape(tag, out);
                out.push_str("</a>");
                i += 1 + end;
                plain_from = i;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    push_plain(plain_from, text.len(), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &str) -> String {
        let mention = |handle: &str| {
            (handle == "alice@misskey.example").then(|| "https://misskey.example/@alice".to_owned())
        };
        let tag = |tag: &str| format!("https://here.example/tags/{tag}");
        mfm_to_html(
            source,
            &MfmLinks {
                mention: &mention,
                tag: &tag,
            },
        )
    }

    #[test]
    fn functions_become_fep_c16b_spans() {
        assert_eq!(
            render("$[x2 big] and $[fg.color=ff0000 $[spin red]]"),
            "<p><span class=\"mfm-x2\">big</span> and <span class=\"mfm-fg\" \
             data-mfm-color=\"ff0000\"><span class=\"mfm-spin\">red</span></span></p>"
        );
        assert_eq!(render("$[nope"), "<p>$[nope</p>", "unclosed: text");
    }

    #[test]
    fn markup_links_mentions_and_hashtags() {
        assert_eq!(
            render(
                "**hi** @alice@misskey.example see https://x.example/a. #misskey <plain>**no**</plain>"
            ),
            "<p><b>hi</b> <span class=\"h-card\"><a href=\"https://misskey.example/@alice\" \
             class=\"u-url mention\">@alice</a></span> see <a href=\"https://x.example/a\">\
             https://x.example/a</a>. <a href=\"https://here.example/tags/misskey\" \
             class=\"mention hashtag\" rel=\"tag\">#misskey</a> **no**</p>"
        );
        assert_eq!(
            render("a\nb\n\n> quoted\n```\n<code>\n```"),
            "<p>a<br>b</p><blockquote><p>quoted</p></blockquote><pre><code>&lt;code&gt;</code></pre>"
        );
    }

    #[test]
    fn html_in_the_source_is_text() {
        assert_eq!(
            render("<script>alert(1)</script> $[x2 <img src=x onerror=alert(1)>]"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; <span class=\"mfm-x2\">&lt;img src=x \
             onerror=alert(1)&gt;</span></p>"
        );
    }
}

#[cfg(test)]
mod sanitised {
    #[test]
    fn spans_survive_the_sanitiser() {
        let html = r#"<p><span class="mfm-fg" data-mfm-color="ff0000">red</span></p>"#;
        assert_eq!(crate::text::sanitize_remote_html(html, 10_000), html);
    }
}
