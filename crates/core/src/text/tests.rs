use super::*;

const REL: &str = r#"rel="nofollow noopener noreferrer" target="_blank""#;

/// Knows `alice` (local), `bob@example.org`, `alice@example.org` and `carol@münchen.de`.
fn resolve(mention: &MentionRef) -> Option<Resolved> {
    let user = mention.username.to_lowercase();
    let domain = mention.domain.as_deref().map(str::to_lowercase);
    let (url, acct) = match (user.as_str(), domain.as_deref()) {
        ("alice", None | Some("local.test")) => ("https://local.test/@alice", "alice"),
        ("bob", Some("example.org")) => ("https://example.org/@bob", "bob@example.org"),
        ("alice", Some("example.org")) => ("https://example.org/@alice", "alice@example.org"),
        ("carol", Some("münchen.de")) => ("https://xn--mnchen-3ya.de/@carol", "carol@münchen.de"),
        _ => return None,
    };
    Some(Resolved {
        url: url.to_owned(),
        acct: acct.to_owned(),
    })
}

fn tag_url(tag: &str) -> String {
    format!("https://local.test/tags/{}", tag.to_lowercase())
}

fn plain(text: &str) -> String {
    render(text, ContentType::Plain, &resolve, &tag_url)
}

fn markdown(text: &str) -> String {
    render(text, ContentType::Markdown, &resolve, &tag_url)
}

fn html(text: &str) -> String {
    render(text, ContentType::Html, &resolve, &tag_url)
}

fn sanitize(text: &str) -> String {
    sanitize_remote_html(text, 100_000)
}

fn mention(username: &str, domain: Option<&str>) -> MentionRef {
    MentionRef {
        username: username.to_owned(),
        domain: domain.map(str::to_owned),
    }
}

fn mention_link(url: &str, name: &str) -> String {
    format!(
        r#"<span class="h-card"><a href="{url}" class="u-url mention">@<span>{name}</span></a></span>"#
    )
}

fn tag_link(tag: &str) -> String {
    format!(
        r#"<a href="https://local.test/tags/{}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>"#,
        tag.to_lowercase()
    )
}

fn short_url_link(url: &str, prefix: &str, shown: &str) -> String {
    format!(
        r#"<a href="{url}" {REL}><span class="invisible">{prefix}</span><span>{shown}</span><span class="invisible"></span></a>"#
    )
}

/// Checks the invariant every output must keep: only allow-listed elements and attributes,
/// links only to http(s), every element closed, nothing unescaped.
fn assert_safe_markup(output: &str) {
    const ELEMENTS: [&str; 19] = [
        "p",
        "br",
        "a",
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "sub",
        "sup",
    ];
    let mut open: Vec<String> = Vec::new();
    let mut rest = output;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        let gt = after
            .find('>')
            .unwrap_or_else(|| panic!("unterminated tag in {output:?}"));
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        assert!(!tag.contains('<'), "'<' inside a tag in {output:?}");
        if let Some(name) = tag.strip_prefix('/') {
            let top = open.pop();
            assert_eq!(
                top.as_deref(),
                Some(name),
                "misnested </{name}> in {output:?}"
            );
            continue;
        }
        let name = tag.split(' ').next().unwrap_or_default();
        assert!(ELEMENTS.contains(&name), "element <{name}> in {output:?}");
        let mut attrs = &tag[name.len()..];
        while let Some(eq) = attrs.find("=\"") {
            let attr = attrs[..eq].trim();
            assert!(
                ["href", "class", "rel", "target", "start"].contains(&attr),
                "attribute {attr} in {output:?}"
            );
            let value_end = attrs[eq + 2..].find('"').expect("closed attribute") + eq + 2;
            let value = &attrs[eq + 2..value_end];
            if attr == "href" {
                let lower = value.to_ascii_lowercase();
                assert!(
                    lower.starts_with("http://") || lower.starts_with("https://"),
                    "href {value} in {output:?}"
                );
            }
            attrs = &attrs[value_end + 1..];
        }
        assert!(
            attrs.trim().is_empty(),
            "junk {attrs:?} in tag of {output:?}"
        );
        if name != "br" {
            open.push(name.to_owned());
        }
    }
    assert!(open.is_empty(), "unclosed {open:?} in {output:?}");
    assert!(!rest.contains('>'), "stray '>' in {output:?}");
}

// ---------------------------------------------------------------------------------------------
// extract

#[test]
fn extracts_local_and_remote_mentions() {
    let found = extract("hi @alice and @bob@example.org!");
    assert_eq!(
        found.mentions,
        vec![mention("alice", None), mention("bob", Some("example.org"))]
    );
}

#[test]
fn mentions_are_deduplicated_case_insensitively() {
    let found = extract("@Alice @alice @ALICE@Example.org @alice@example.ORG");
    assert_eq!(
        found.mentions,
        vec![
            mention("Alice", None),
            mention("ALICE", Some("Example.org"))
        ]
    );
}

#[test]
fn mentions_at_line_start_and_end() {
    let found = extract("@alice\nmiddle\nend @bob@example.org");
    assert_eq!(found.mentions.len(), 2);
    assert_eq!(extract("@alice").mentions, vec![mention("alice", None)]);
}

#[test]
fn punctuation_after_a_mention_is_not_part_of_it() {
    for text in [
        "@alice,",
        "@alice.",
        "@alice!",
        "@alice?",
        "@alice:",
        "@alice;",
        "(@alice)",
        "\"@alice\"",
        "@alice…",
        "@alice's",
    ] {
        assert_eq!(
            extract(text).mentions,
            vec![mention("alice", None)],
            "in {text:?}"
        );
    }
    assert_eq!(
        extract("cc @bob@example.org.").mentions,
        vec![mention("bob", Some("example.org"))]
    );
    assert_eq!(
        extract("@bob@example.org, hi").mentions,
        vec![mention("bob", Some("example.org"))]
    );
}

#[test]
fn an_email_address_is_not_a_mention() {
    let found = extract("write to user@example.org or alice@example.org.");
    assert!(found.mentions.is_empty());
    assert!(found.urls.is_empty());
}

#[test]
fn mentions_inside_urls_are_ignored() {
    let found =
        extract("see https://mastodon.social/@alice and https://x.example/@bob@example.org");
    assert!(found.mentions.is_empty());
    assert_eq!(found.urls.len(), 2);
}

#[test]
fn mention_username_rules_follow_mastodon() {
    // Inner dots and dashes are allowed (remote servers have them), trailing ones are not.
    assert_eq!(
        extract("@first.last@example.org").mentions,
        vec![mention("first.last", Some("example.org"))]
    );
    assert_eq!(extract("@alice-").mentions, vec![mention("alice", None)]);
    assert_eq!(extract("@a_b_c").mentions, vec![mention("a_b_c", None)]);
    // Not after a word character, `=` or `/`; not followed by `@`, `://` or an accented letter.
    for text in [
        "x@alice",
        "=@alice",
        "/@alice",
        "@alice@",
        "@alice@ x",
        "@josé",
        "@alice://x",
        "@",
        "@ alice",
        "@.alice",
        "@-alice",
        "@日本",
    ] {
        assert!(extract(text).mentions.is_empty(), "in {text:?}");
    }
}

#[test]
fn mention_domains_may_be_internationalised() {
    assert_eq!(
        extract("hallo @carol@münchen.de!").mentions,
        vec![mention("carol", Some("münchen.de"))]
    );
    assert_eq!(
        extract("@bob@xn--mnchen-3ya.de").mentions,
        vec![mention("bob", Some("xn--mnchen-3ya.de"))]
    );
}

#[test]
fn mention_ref_acct_and_comparison() {
    assert_eq!(mention("alice", None).acct(), "alice");
    assert_eq!(
        mention("bob", Some("example.org")).acct(),
        "bob@example.org"
    );
    assert!(mention("Bob", Some("Example.ORG")).same_as(&mention("bob", Some("example.org"))));
    assert!(!mention("bob", None).same_as(&mention("bob", Some("example.org"))));
}

#[test]
fn extracts_hashtags_in_any_script() {
    let found = extract("#café #日本語 #écologie #tag_name #Привет #مرحبا #हिन्दी ＃タグ #l·l");
    assert_eq!(
        found.hashtags,
        vec![
            "café",
            "日本語",
            "écologie",
            "tag_name",
            "Привет",
            "مرحبا",
            "हिन्दी",
            "タグ",
            "l·l"
        ]
    );
}

#[test]
fn french_text_with_accented_hashtags() {
    let found =
        extract("Manifestation pour le climat samedi ! #écologie #ÉtéIndien #Paris2024 #àVélo.");
    assert_eq!(
        found.hashtags,
        vec!["écologie", "ÉtéIndien", "Paris2024", "àVélo"]
    );
}

#[test]
fn hashtags_keep_first_case_and_deduplicate_case_insensitively() {
    assert_eq!(
        extract("#Rust #rust #RUST #Café #café").hashtags,
        vec!["Rust", "Café"]
    );
}

#[test]
fn punctuation_after_a_hashtag_is_not_part_of_it() {
    for text in [
        "#tag.",
        "#tag,",
        "#tag!",
        "(#tag)",
        "#tag's",
        "#tag…",
        "#tag🎉",
        "#tag\u{200B}x",
    ] {
        assert_eq!(extract(text).hashtags, vec!["tag"], "in {text:?}");
    }
}

#[test]
fn all_digit_hashtags_are_not_tags() {
    assert!(extract("#2024 #1 #42!").hashtags.is_empty());
    // A letter or an inner separator makes it a tag, as on Mastodon.
    assert_eq!(extract("#2024a #1_000").hashtags, vec!["2024a", "1_000"]);
}

#[test]
fn hashtags_need_a_boundary_before_them() {
    for text in [
        "foo#bar",
        "https://example.org/page#section",
        "example.org/#x",
        "&#x27;",
        "(x)#y",
    ] {
        assert!(extract(text).hashtags.is_empty(), "in {text:?}");
    }
    assert_eq!(extract("##double").hashtags, vec!["double"]);
    assert_eq!(extract("\u{200F}#שלום").hashtags, vec!["שלום"]);
}

#[test]
fn extracts_urls_with_parentheses_and_query_strings() {
    let found = extract(
        "see https://en.wikipedia.org/wiki/Rust_(programming_language) and \
         (https://example.org/search?q=a+b&lang=fr#top). Also HTTP://EXAMPLE.ORG/X, \
         look.https://example.com/p?x=1.",
    );
    assert_eq!(
        found.urls,
        vec![
            "https://en.wikipedia.org/wiki/Rust_(programming_language)",
            "https://example.org/search?q=a+b&lang=fr#top",
            "HTTP://EXAMPLE.ORG/X",
            "https://example.com/p?x=1",
        ]
    );
    assert!(found.hashtags.is_empty(), "the #top fragment is no tag");
}

#[test]
fn only_http_urls_with_a_scheme_are_urls() {
    let found = extract(
        "ftp://example.org javascript:alert(1) example.org www.example.org data:text/html,x \
         mailto:a@example.org httpsx://example.org",
    );
    assert!(found.urls.is_empty(), "{:?}", found.urls);
}

#[test]
fn urls_are_deduplicated() {
    assert_eq!(
        extract("https://a.example https://a.example").urls,
        vec!["https://a.example"]
    );
}

#[test]
fn extract_handles_emoji_rtl_and_zero_width_characters() {
    let found = extract("🎉@alice🎉 \u{202E}#tag\u{202C} \u{200B}@bob@example.org\u{200B} 👩‍👩‍👧#fam");
    assert_eq!(
        found.mentions,
        vec![mention("alice", None), mention("bob", Some("example.org"))]
    );
    assert_eq!(found.hashtags, vec!["tag", "fam"]);
}

// ---------------------------------------------------------------------------------------------
// content type

#[test]
fn content_types_parse_from_their_media_types() {
    assert_eq!("text/plain".parse(), Ok(ContentType::Plain));
    assert_eq!("text/markdown".parse(), Ok(ContentType::Markdown));
    assert_eq!("text/html".parse(), Ok(ContentType::Html));
    assert_eq!(
        " Text/Markdown; charset=utf-8".parse(),
        Ok(ContentType::Markdown)
    );
    for bad in [
        "",
        "text",
        "text/bbcode",
        "application/json",
        "text/plain+x",
        "text/x-rst",
    ] {
        assert_eq!(
            bad.parse::<ContentType>(),
            Err(UnsupportedContentType(bad.to_owned()))
        );
    }
    assert_eq!(ContentType::default(), ContentType::Plain);
    for ct in [ContentType::Plain, ContentType::Markdown, ContentType::Html] {
        assert_eq!(ct.to_string().parse(), Ok(ct));
    }
    let long = "x".repeat(10_000);
    let err = long.parse::<ContentType>().unwrap_err();
    assert_eq!(err.0.len(), 100, "the error does not carry the whole input");
}

// ---------------------------------------------------------------------------------------------
// plain text

#[test]
fn plain_text_is_escaped() {
    assert_eq!(
        plain(r#"<script>alert('x')</script> & "q""#),
        "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>"
    );
    assert_eq!(plain("&amp; &lt;"), "<p>&amp;amp; &amp;lt;</p>");
}

#[test]
fn plain_text_paragraphs_and_line_breaks() {
    assert_eq!(plain(""), "");
    assert_eq!(plain(" \n\t\n"), "");
    assert_eq!(plain("Hello"), "<p>Hello</p>");
    assert_eq!(plain("a\nb\n\nc"), "<p>a<br>b</p><p>c</p>");
    assert_eq!(plain("a\r\nb\r\n\r\nc"), "<p>a<br>b</p><p>c</p>");
    assert_eq!(plain("a\rb"), "<p>a<br>b</p>");
    assert_eq!(plain("\n\na\n\n\n\nb\n\n"), "<p>a</p><p>b</p>");
    assert_eq!(plain("a\n  \nb"), "<p>a</p><p>b</p>");
    assert_eq!(plain("  indented"), "<p>  indented</p>");
}

#[test]
fn plain_text_urls_use_mastodon_markup() {
    assert_eq!(
        plain("https://example.org"),
        format!(
            "<p>{}</p>",
            short_url_link("https://example.org", "https://", "example.org")
        )
    );
    assert_eq!(
        plain("go to http://www.example.org/x now"),
        format!(
            "<p>go to {} now</p>",
            short_url_link("http://www.example.org/x", "http://www.", "example.org/x")
        )
    );
}

#[test]
fn long_urls_are_shortened_with_an_ellipsis() {
    let url = "https://www.example.org/a/very/long/path/that/goes/on/and/on";
    assert_eq!(
        plain(url),
        format!(
            r#"<p><a href="{url}" {REL}><span class="invisible">https://www.</span><span class="ellipsis">example.org/a/very/long/path/t</span><span class="invisible">hat/goes/on/and/on</span></a></p>"#
        )
    );
    // Thirty characters, not bytes.
    let url = format!("https://example.org/{}", "é".repeat(40));
    let out = plain(&url);
    assert!(out.contains(&format!(
        r#"<span class="ellipsis">example.org/{}</span>"#,
        "é".repeat(18)
    )));
}

#[test]
fn url_query_strings_are_escaped_in_links() {
    let out = plain("https://example.org/search?q=a&b=c'd");
    assert!(out.starts_with(r#"<p><a href="https://example.org/search?q=a&amp;b=c&#39;d""#));
    assert_safe_markup(&out);
}

#[test]
fn urls_with_parentheses_keep_them_but_not_the_closing_one_around() {
    let out = plain("(see https://en.wikipedia.org/wiki/Rust_(programming_language))");
    assert!(out.starts_with(
        r#"<p>(see <a href="https://en.wikipedia.org/wiki/Rust_(programming_language)""#
    ));
    assert!(out.ends_with("</a>)</p>"));
}

#[test]
fn plain_text_mentions_use_mastodon_markup() {
    assert_eq!(
        plain("@alice"),
        format!(
            "<p>{}</p>",
            mention_link("https://local.test/@alice", "alice")
        )
    );
    // A remote account shows its username only.
    assert_eq!(
        plain("hi @bob@example.org, welcome"),
        format!(
            "<p>hi {}, welcome</p>",
            mention_link("https://example.org/@bob", "bob")
        )
    );
    // The account's own spelling, whatever was typed.
    assert_eq!(
        plain("@ALICE"),
        format!(
            "<p>{}</p>",
            mention_link("https://local.test/@alice", "alice")
        )
    );
}

#[test]
fn unknown_mentions_stay_plain_text() {
    assert_eq!(
        plain("@nobody@nowhere.example"),
        "<p>@nobody@nowhere.example</p>"
    );
}

#[test]
fn namesake_mentions_show_their_domain() {
    assert_eq!(
        plain("@alice @alice@example.org"),
        format!(
            "<p>{} {}</p>",
            mention_link("https://local.test/@alice", "alice"),
            mention_link("https://example.org/@alice", "alice@example.org")
        )
    );
}

#[test]
fn mentions_at_line_start_and_end_are_linked() {
    let link = mention_link("https://local.test/@alice", "alice");
    assert_eq!(
        plain("@alice first\nlast @alice"),
        format!("<p>{link} first<br>last {link}</p>")
    );
}

#[test]
fn plain_text_hashtags_use_mastodon_markup() {
    assert_eq!(plain("#Café"), format!("<p>{}</p>", tag_link("Café")));
    assert_eq!(
        plain("vive l'#écologie."),
        format!("<p>vive l&#39;{}.</p>", tag_link("écologie"))
    );
    assert_eq!(plain("#2024"), "<p>#2024</p>");
}

#[test]
fn an_email_address_is_not_linked() {
    assert_eq!(
        plain("mail user@example.org"),
        "<p>mail user@example.org</p>"
    );
}

#[test]
fn callback_urls_are_checked_before_linking() {
    let evil_resolve = |_: &MentionRef| {
        Some(Resolved {
            url: "javascript:alert(1)".to_owned(),
            acct: "alice".to_owned(),
        })
    };
    let evil_tag = |_: &str| "javascript:alert(1)".to_owned();
    let out = render("@alice #tag", ContentType::Plain, &evil_resolve, &evil_tag);
    assert_eq!(out, "<p>@alice #tag</p>");
    // A path on this server is fine.
    let local_tag = |tag: &str| format!("/tags/{tag}");
    let out = render("#tag", ContentType::Plain, &|_| None, &local_tag);
    assert_eq!(
        out,
        r#"<p><a href="/tags/tag" class="mention hashtag" rel="tag">#<span>tag</span></a></p>"#
    );
    let out = render("#tag", ContentType::Plain, &|_| None, &|_| {
        "//evil.example/x".to_owned()
    });
    assert_eq!(out, "<p>#tag</p>");
}

#[test]
fn callback_results_are_escaped() {
    let odd = |_: &MentionRef| {
        Some(Resolved {
            url: "https://example.org/@a\"onmouseover=\"x".to_owned(),
            acct: "<b>a</b>".to_owned(),
        })
    };
    let out = render("@a", ContentType::Plain, &odd, &tag_url);
    assert!(out.contains("&quot;onmouseover=&quot;x"));
    assert!(out.contains("&lt;b&gt;a&lt;/b&gt;"));
    assert_safe_markup(&out);
}

#[test]
fn resolver_is_asked_once_per_distinct_mention() {
    let calls = std::cell::Cell::new(0);
    let counting = |m: &MentionRef| {
        calls.set(calls.get() + 1);
        resolve(m)
    };
    render(
        "@alice @Alice @alice @bob@example.org",
        ContentType::Plain,
        &counting,
        &tag_url,
    );
    assert_eq!(calls.get(), 2);
}

#[test]
fn render_reports_what_it_linked() {
    let rendered = render_with_entities(
        "@alice @nobody @bob@example.org #Rust #rust https://example.org",
        ContentType::Plain,
        &resolve,
        &tag_url,
    );
    assert_eq!(rendered.extracted.mentions.len(), 3);
    assert_eq!(rendered.extracted.hashtags, vec!["Rust"]);
    assert_eq!(rendered.extracted.urls, vec!["https://example.org"]);
    let accts: Vec<_> = rendered.resolved.iter().map(|r| r.acct.as_str()).collect();
    assert_eq!(accts, vec!["alice", "bob@example.org"]);
}

#[test]
fn plain_text_keeps_emoji_rtl_and_zero_width_characters() {
    let text = "👩‍👩‍👧 \u{202E}txet\u{202C} a\u{200B}b \u{FEFF} مرحبا";
    assert_eq!(plain(text), format!("<p>{text}</p>"));
    let out = plain("🎉@alice🎉 \u{200F}#שלום");
    assert!(out.contains(&mention_link("https://local.test/@alice", "alice")));
    assert!(out.contains(r#"#<span>שלום</span>"#));
}

#[test]
fn one_megabyte_of_plain_text() {
    let chunk = "Lorem ipsum @alice #tag https://example.org/x?y=1 <b>&amp;</b> é 🎉\n";
    let text = chunk.repeat(1024 * 1024 / chunk.len() + 1);
    assert!(text.len() > 1024 * 1024);
    let started = std::time::Instant::now();
    let out = plain(&text);
    assert!(out.starts_with("<p>Lorem ipsum "));
    assert!(!out.contains("<b>"));
    assert!(visible_length(&text) > 0);
    assert!(extract(&text).hashtags == vec!["tag"]);
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn many_distinct_entities_stay_linear() {
    let text: String = (0..30_000)
        .map(|i| format!("#t{i} @u{i} @u{i}@e{i}.example https://e{i}.example/ "))
        .collect();
    let started = std::time::Instant::now();
    let found = extract(&text);
    assert_eq!(found.hashtags.len(), 30_000);
    assert_eq!(found.mentions.len(), 60_000);
    assert_eq!(found.urls.len(), 30_000);
    let everyone = |m: &MentionRef| {
        Some(Resolved {
            url: format!("https://example.org/@{}", m.acct()),
            acct: m.acct(),
        })
    };
    let rendered = render_with_entities(&text, ContentType::Plain, &everyone, &tag_url);
    assert_eq!(rendered.resolved.len(), 60_000);
    // `u0` and `u0@e0.example` are namesakes, so both show their full name.
    assert!(rendered.html.contains("@<span>u0@e0.example</span>"));
    assert!(rendered.html.contains("@<span>u0</span>"));
    assert!(started.elapsed().as_secs() < 60);
}

// ---------------------------------------------------------------------------------------------
// Markdown

#[test]
fn markdown_inline_formatting() {
    assert_eq!(
        markdown("**bold** _em_ `code` ~~gone~~"),
        "<p><strong>bold</strong> <em>em</em> <code>code</code> <del>gone</del></p>"
    );
}

#[test]
fn markdown_blocks() {
    assert_eq!(
        markdown("# Title\n\n> quoted\n\n- one\n- two\n\n3. three\n4. four"),
        "<p><strong>Title</strong></p><blockquote><p>quoted</p></blockquote>\
         <ul><li>one</li><li>two</li></ul><ol start=\"3\"><li>three</li><li>four</li></ol>"
    );
    assert_eq!(
        markdown("```rust\nfn main() {}\n```"),
        "<pre><code>fn main() {}\n</code></pre>"
    );
}

#[test]
fn markdown_single_newlines_are_line_breaks() {
    assert_eq!(markdown("a\nb\n\nc"), "<p>a<br>b</p><p>c</p>");
}

#[test]
fn markdown_links() {
    assert_eq!(
        markdown("[site](https://example.org/a?b=1&c=2)"),
        format!(r#"<p><a href="https://example.org/a?b=1&amp;c=2" {REL}>site</a></p>"#)
    );
    assert_eq!(
        markdown("<https://example.org>"),
        format!(r#"<p><a href="https://example.org" {REL}>https://example.org</a></p>"#)
    );
}

#[test]
fn markdown_links_mentions_hashtags_and_bare_urls_in_text() {
    assert_eq!(
        markdown("**hi @alice** #rust https://example.org"),
        format!(
            "<p><strong>hi {}</strong> {} {}</p>",
            mention_link("https://local.test/@alice", "alice"),
            tag_link("rust"),
            short_url_link("https://example.org", "https://", "example.org")
        )
    );
}

#[test]
fn markdown_does_not_link_inside_code_or_links() {
    assert_eq!(
        markdown("`@alice #tag https://example.org`"),
        "<p><code>@alice #tag https://example.org</code></p>"
    );
    assert_eq!(
        markdown("```\n@alice #tag\n```"),
        "<pre><code>@alice #tag\n</code></pre>"
    );
    assert_eq!(
        markdown("[@alice #tag](https://example.org)"),
        format!(r#"<p><a href="https://example.org" {REL}>@alice #tag</a></p>"#)
    );
    let rendered = render_with_entities(
        "`@alice` and @bob@example.org",
        ContentType::Markdown,
        &resolve,
        &tag_url,
    );
    assert_eq!(
        rendered.extracted.mentions,
        vec![mention("bob", Some("example.org"))]
    );
}

#[test]
fn written_links_count_as_the_posts_urls() {
    let rendered = render_with_entities(
        "[site](https://example.org/a) and https://example.org/b",
        ContentType::Markdown,
        &resolve,
        &tag_url,
    );
    assert_eq!(
        rendered.extracted.urls,
        vec!["https://example.org/a", "https://example.org/b"]
    );
    let rendered = render_with_entities(
        r#"<a href="javascript:x()">no</a> <a href="https://example.org/c">yes</a>"#,
        ContentType::Html,
        &resolve,
        &tag_url,
    );
    assert_eq!(rendered.extracted.urls, vec!["https://example.org/c"]);
}

#[test]
fn markdown_raw_html_does_not_survive() {
    for source in [
        "<script>alert(1)</script>",
        "hi <b onclick=\"alert(1)\">there</b>",
        "<div>\n<img src=x onerror=alert(1)>\n</div>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<style>body{display:none}</style>",
        "a <!-- comment --> b",
    ] {
        let out = markdown(source);
        assert_safe_markup(&out);
        assert!(!out.contains("<b"), "{out}");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
    }
    // Shown as the text the author typed.
    assert_eq!(
        markdown("<script>alert(1)</script>"),
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    );
    assert_eq!(
        markdown("hi <b onclick=\"x\">there</b>"),
        "<p>hi &lt;b onclick=&quot;x&quot;&gt;there&lt;/b&gt;</p>"
    );
}

#[test]
fn markdown_images_become_links() {
    assert_eq!(
        markdown("![a cat](https://example.org/cat.png)"),
        format!(r#"<p><a href="https://example.org/cat.png" {REL}>a cat</a></p>"#)
    );
    let out = markdown("![x](javascript:alert(1))");
    assert_eq!(out, "<p>x</p>");
}

#[test]
fn markdown_dangerous_links_become_text() {
    for source in [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox)",
        "[click](/relative)",
        "[click](//evil.example)",
    ] {
        assert_eq!(markdown(source), "<p>click</p>", "for {source}");
    }
}

#[test]
fn markdown_tables_and_footnotes_stay_text() {
    let out = markdown("| a | b |\n|---|---|\n| 1 | 2 |");
    assert_safe_markup(&out);
    assert!(!out.contains("<table"));
}

// ---------------------------------------------------------------------------------------------
// HTML content type

#[test]
fn html_posts_are_sanitised_and_linked() {
    assert_eq!(
        html("<p>Hi @alice <b>#rust</b></p><script>alert(1)</script>"),
        format!(
            "<p>Hi {} <b>{}</b></p>",
            mention_link("https://local.test/@alice", "alice"),
            tag_link("rust")
        )
    );
}

#[test]
fn html_posts_do_not_link_inside_links_or_code() {
    assert_eq!(
        html(r#"<a href="https://example.org">@alice #tag</a> <code>@alice</code>"#),
        format!(r#"<a href="https://example.org" {REL}>@alice #tag</a> <code>@alice</code>"#)
    );
    // A link we drop no longer protects its text.
    assert_eq!(
        html(r#"<a href="javascript:x()">@alice</a>"#),
        mention_link("https://local.test/@alice", "alice")
    );
}

// ---------------------------------------------------------------------------------------------
// remote HTML

#[test]
fn mastodon_markup_survives_sanitising() {
    let remote = r#"<p>Hello <span class="h-card" translate="no"><a href="https://example.org/@bob" class="u-url mention">@<span>bob</span></a></span> <a href="https://example.org/tags/rust" class="mention hashtag" rel="tag">#<span>rust</span></a> <a href="https://example.org/very/long" target="_blank" rel="nofollow noopener"><span class="invisible">https://</span><span class="ellipsis">example.org/very</span><span class="invisible">/long</span></a></p><p>Second<br>line</p>"#;
    assert_eq!(
        sanitize(remote),
        format!(
            r#"<p>Hello <span class="h-card"><a href="https://example.org/@bob" class="u-url mention" {REL}>@<span>bob</span></a></span> <a href="https://example.org/tags/rust" class="mention hashtag" {REL}>#<span>rust</span></a> <a href="https://example.org/very/long" {REL}><span class="invisible">https://</span><span class="ellipsis">example.org/very</span><span class="invisible">/long</span></a></p><p>Second<br>line</p>"#
        )
    );
}

#[test]
fn allowed_elements_are_kept() {
    let remote = "<p><strong>s</strong><b>b</b><em>e</em><i>i</i><u>u</u><s>s</s><del>d</del>\
                  <code>c</code><sub>1</sub><sup>2</sup></p><pre><code>x\n  y</code></pre>\
                  <blockquote><p>q</p></blockquote><ul><li>a</li></ul><ol start=\"5\"><li>b</li></ol>";
    assert_eq!(sanitize(remote), remote);
}

#[test]
fn headings_are_demoted_to_bold_paragraphs() {
    assert_eq!(
        sanitize("<h1>Title</h1><h6>small</h6><p>text</p>"),
        "<p><strong>Title</strong></p><p><strong>small</strong></p><p>text</p>"
    );
}

#[test]
fn scripts_styles_frames_and_images_are_dropped_with_their_content() {
    assert_eq!(
        sanitize(
            "<p>a<script>alert(1)</script>b<style>p{color:red}</style>c\
             <iframe src=\"https://evil.example\">frame</iframe>d\
             <img src=\"https://example.org/x.png\" alt=\"pic\">e\
             <object data=\"x\">obj</object><svg><script>alert(2)</script><text>svg</text></svg>f</p>"
        ),
        "<p>abcdef</p>"
    );
}

#[test]
fn event_handlers_and_other_attributes_are_dropped() {
    assert_eq!(
        sanitize(
            r#"<p onclick="alert(1)" style="color:red" id="x" class="x">hi <span onmouseover="alert(1)" style="font-size:99px">there</span> <a href="https://example.org" onclick="alert(1)" target="_self" rel="opener" title="t">l</a></p>"#
        ),
        format!(r#"<p>hi <span>there</span> <a href="https://example.org" {REL}>l</a></p>"#)
    );
}

#[test]
fn only_allowed_classes_are_kept() {
    assert_eq!(
        sanitize(
            r#"<span class="invisible evil h-card quote-inline ellipsis">x</span><a href="https://e.example" class="u-url mention hashtag status-link">y</a>"#
        ),
        format!(
            r#"<span class="invisible h-card quote-inline ellipsis">x</span><a href="https://e.example" class="u-url mention hashtag" {REL}>y</a>"#
        )
    );
}

#[test]
fn links_other_than_http_become_their_text() {
    for href in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "/relative/path",
        "//evil.example/x",
        "mailto:a@example.org",
        "",
    ] {
        let out = sanitize(&format!(r#"<p><a href="{href}">click</a></p>"#));
        assert_eq!(out, "<p>click</p>", "for {href:?}");
    }
    assert_eq!(sanitize("<a>no href</a>"), "no href");
}

#[test]
fn unbalanced_and_misnested_tags_come_out_well_formed() {
    for input in [
        "<p><b>bold<i>both</p>text",
        "</p></b>text<p>",
        "<ul><li>a<li>b</ul></li></ul>",
        "<a href=\"https://a.example\">one<a href=\"https://b.example\">two</a>",
        "<b><p>x</b></p>",
        "<p>unclosed <span class=\"h-card\"><a href=\"https://e.example\">",
        "<<p>>",
        "<p <b>>x",
        "<pre><code>",
    ] {
        let out = sanitize(input);
        assert_safe_markup(&out);
    }
    assert_eq!(
        sanitize("<p><b>bold<i>both</p>text"),
        "<p><b>bold<i>both</i></b></p><b><i>text</i></b>"
    );
}

#[test]
fn escaped_markup_stays_escaped() {
    assert_eq!(
        sanitize("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &quot;</p>"),
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &quot;</p>"
    );
    assert_eq!(sanitize("a < b > c & d"), "a &lt; b &gt; c &amp; d");
}

#[test]
fn parser_confusion_attacks_are_neutralised() {
    for input in [
        r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>">"#,
        r#"<svg><style><img src=x onerror=alert(1)></style></svg>"#,
        r#"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"#,
        r#"<![CDATA[<img src=x onerror=alert(1)>]]>"#,
        r#"<!--><img src=x onerror=alert(1)>-->"#,
        r#"<textarea><img src=x onerror=alert(1)></textarea>"#,
        r#"<title><img src=x onerror=alert(1)></title>"#,
        r#"<p>a</p><plaintext><img src=x onerror=alert(1)>"#,
        r#"<a href="https://ok.example" <img src=x onerror=alert(1)>>x</a>"#,
        "<scr<script>ipt>alert(1)</script>",
        "<a href='https://ok.example' onmouseover=alert(1)>x</a>",
    ] {
        let out = sanitize(input);
        assert_safe_markup(&out);
        assert!(!out.contains("onerror"), "{input} → {out}");
        assert!(!out.contains("onmouseover"), "{input} → {out}");
        assert!(!out.contains("<img"), "{input} → {out}");
        assert!(!out.contains("<script"), "{input} → {out}");
    }
}

#[test]
fn unknown_blocks_become_spaces() {
    assert_eq!(sanitize("<div>a</div><div>b</div>"), "a b");
    assert_eq!(
        sanitize("<table><tr><td>1</td><td>2</td></tr></table>"),
        "1 2"
    );
}

#[test]
fn layout_whitespace_between_blocks_is_dropped() {
    assert_eq!(sanitize("<p>a</p>\n\n<p>b</p>\n"), "<p>a</p><p>b</p>");
    assert_eq!(
        sanitize("<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>"),
        "<ul><li>a</li><li>b</li></ul>"
    );
    // But not between inline elements.
    assert_eq!(sanitize("<b>a</b> <i>b</i>"), "<b>a</b> <i>b</i>");
}

#[test]
fn pre_keeps_a_leading_newline() {
    let out = sanitize("<pre>\n\nx</pre>");
    assert_eq!(out, "<pre>\n\nx</pre>");
    assert_eq!(sanitize(&out), out);
}

#[test]
fn remote_html_is_not_linked() {
    assert_eq!(
        sanitize("<p>@alice #tag https://example.org</p>"),
        "<p>@alice #tag https://example.org</p>"
    );
}

#[test]
fn sanitising_is_idempotent() {
    for input in [
        "<p>Hello <a href=\"https://e.example/?a=1&b=2\" class=\"mention\">x</a></p>",
        "<h2>T</h2><ul><li>a &amp; b</li></ul><pre>  x\n</pre>",
        "a < b & \"c\" 'd'",
    ] {
        let once = sanitize(input);
        assert_eq!(sanitize(&once), once);
    }
}

#[test]
fn remote_html_is_cut_at_max_bytes_on_a_char_boundary() {
    let text = "é".repeat(1000);
    for max in [0, 1, 2, 3, 1001, 1999, 2000, 5000] {
        let out = sanitize_remote_html(&text, max);
        assert_eq!(out, "é".repeat(max.min(2000) / 2), "max {max}");
    }
    let emoji = "🎉".repeat(10);
    assert_eq!(sanitize_remote_html(&emoji, 7), "🎉");
    // Cut inside a tag or an entity.
    let out = sanitize_remote_html("<p>hello <a href=\"https://exa", 28);
    assert_safe_markup(&out);
    assert_eq!(out, "<p>hello </p>");
    let out = sanitize_remote_html("<p>a &amp; b</p>", 6);
    assert_eq!(out, "<p>a &amp;</p>");
}

#[test]
fn one_megabyte_of_remote_html() {
    let chunk = "<p>Hello <b>world</b> <a href=\"https://example.org/x\">link</a> &amp; é 🎉<br><script>x</script></p>";
    let big = chunk.repeat(1024 * 1024 / chunk.len() + 1);
    let started = std::time::Instant::now();
    let out = sanitize_remote_html(&big, big.len());
    assert_safe_markup(&out);
    assert!(!out.contains("<script"));
    let bounded = sanitize_remote_html(&big, 64 * 1024);
    assert!(bounded.len() < 100 * 1024);
    assert_safe_markup(&bounded);
    assert!(html_to_text(&big).starts_with("Hello world link & é 🎉\n\nHello"));
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn deeply_nested_markup_stays_fast() {
    let started = std::time::Instant::now();
    for (open, close) in [
        ("<b>", "</b>"),
        ("<div>", "</div>"),
        ("<blockquote>", "</blockquote>"),
        ("<span>", "</span>"),
        ("<li><ul>", ""),
        ("<dd><dl>", ""),
        ("<b><p>", ""),
        ("<td><table>", ""),
    ] {
        let input = format!("{}deep{}", open.repeat(20_000), close.repeat(20_000));
        let out = sanitize_remote_html(&input, input.len());
        assert!(out.contains("deep"), "{open}");
        assert_safe_markup(&out);
        assert_eq!(html_to_text(&input), "deep", "{open}");
        assert!(html(&input).contains("deep"));
    }
    for source in [
        ">".repeat(20_000),
        "- ".repeat(20_000),
        "*".repeat(20_000),
        "[".repeat(20_000),
    ] {
        assert_safe_markup(&markdown(&format!("{source} deep")));
    }
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn nesting_is_capped_and_content_kept() {
    let input = format!(
        "{}deep{}",
        "<blockquote>".repeat(300),
        "</blockquote>".repeat(300)
    );
    let out = sanitize(&input);
    assert_eq!(out.matches("<blockquote>").count(), 256);
    assert_eq!(out.matches("</blockquote>").count(), 256);
    assert!(out.contains("deep"));
    // Shallow markup is untouched, scripts deep down are still dropped whole.
    let deep_script = format!("{}<script>alert(1)</script>x", "<div>".repeat(400));
    assert_eq!(sanitize(&deep_script), "x");
}

// ---------------------------------------------------------------------------------------------
// html_to_text

#[test]
fn html_to_text_separates_blocks() {
    assert_eq!(
        html_to_text("<p>Hello &amp; welcome</p><p>Second<br>line</p>"),
        "Hello & welcome\n\nSecond\nline"
    );
    assert_eq!(
        html_to_text("<ul><li>a</li><li>b</li></ul><p>after</p>"),
        "a\nb\n\nafter"
    );
    assert_eq!(html_to_text("<h1>Title</h1>text"), "Title\n\ntext");
    assert_eq!(
        html_to_text("<blockquote>q</blockquote>after"),
        "q\n\nafter"
    );
    assert_eq!(html_to_text("<div>a</div><div>b</div>"), "a\n\nb");
    assert_eq!(html_to_text("a<br><br>b"), "a\n\nb");
}

#[test]
fn html_to_text_restores_shortened_links() {
    let status = r#"<p>Read <a href="https://example.org/a/very/long/path/that/goes/on" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.org/a/very/long/path/t</span><span class="invisible">hat/goes/on</span></a> by <span class="h-card"><a href="https://example.org/@bob" class="u-url mention">@<span>bob</span></a></span></p>"#;
    assert_eq!(
        html_to_text(status),
        "Read https://example.org/a/very/long/path/that/goes/on by @bob"
    );
}

#[test]
fn html_to_text_decodes_entities_and_drops_scripts() {
    assert_eq!(
        html_to_text("&lt;b&gt; &eacute; &#233; &#x1F600; &quot;q&quot; &apos;a&apos; &bogus;"),
        "<b> é é 😀 \"q\" 'a' &bogus;"
    );
    assert_eq!(
        html_to_text("a<script>alert(1)</script><style>p{}</style>b<!-- c -->"),
        "ab"
    );
    assert_eq!(html_to_text("&nbsp;x"), "\u{A0}x");
}

#[test]
fn html_to_text_collapses_whitespace_except_in_pre() {
    assert_eq!(html_to_text("<p>  a\n  b  </p>\n\n<p> c </p>"), "a b\n\nc");
    assert_eq!(
        html_to_text("<pre>  x\n    y</pre>"),
        "x\n    y".replace('x', "  x").as_str()
    );
    assert_eq!(html_to_text(""), "");
    assert_eq!(html_to_text("   "), "");
    assert_eq!(html_to_text("a < b"), "a < b");
    assert_eq!(html_to_text("<b>bold</b> <i>it</i>"), "bold it");
}

// ---------------------------------------------------------------------------------------------
// visible_length

#[test]
fn visible_length_counts_like_mastodon() {
    assert_eq!(visible_length(""), 0);
    assert_eq!(visible_length("hello"), 5);
    assert_eq!(
        visible_length("https://example.org/a/very/long/path/that/goes/on"),
        23
    );
    assert_eq!(visible_length("see https://x.org"), 4 + 23);
    assert_eq!(visible_length("@bob@example.org hi"), "@bob hi".len());
    assert_eq!(visible_length("@alice hi"), "@alice hi".len());
    assert_eq!(visible_length("#hashtag"), 8);
    assert_eq!(visible_length("user@example.org"), 16);
    // Grapheme clusters, not code points or bytes.
    assert_eq!(visible_length("👩‍👩‍👧"), 1);
    assert_eq!(visible_length("e\u{301}"), 1);
    assert_eq!(visible_length("日本語"), 3);
    assert_eq!(visible_length("🇫🇷"), 1);
}

// ---------------------------------------------------------------------------------------------
// no panics, whatever the input

#[test]
fn no_panics_on_awkward_input() {
    let pieces = [
        "@",
        "#",
        "＃",
        "@a",
        "@a@",
        "@a@b",
        "#a",
        "https://",
        "http://x",
        "://",
        "<",
        ">",
        "&",
        "&#",
        "&#x;",
        "&#1114112;",
        "&#0;",
        "<a",
        "<a href=",
        "\"",
        "'",
        "é",
        "🎉",
        "\u{200B}",
        "\u{200C}",
        "\u{202E}",
        "\u{FEFF}",
        "\0",
        "\r",
        "\n",
        " ",
        "`",
        "*",
        "_",
        "[",
        "](",
        ")",
        ">",
        "-",
        "1.",
        "<p>",
        "</p>",
        "<pre>",
        "<script>",
        "<!--",
        "-->",
        "·",
        "\u{301}",
        "日",
        "a",
        ".",
        ",",
        "/",
        "=",
        "mailto:",
        "javascript:",
        "www.",
        "x.org",
    ];
    // A fixed linear congruential sequence: reproducible, no dependency.
    let mut state: u64 = 0x5DEECE66D;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for _ in 0..1500 {
        let len = next() % 24;
        let text: String = (0..len).map(|_| pieces[next() % pieces.len()]).collect();
        let _ = extract(&text);
        let _ = visible_length(&text);
        let _ = html_to_text(&text);
        for ct in [ContentType::Plain, ContentType::Markdown, ContentType::Html] {
            assert_safe_markup(&render(&text, ct, &resolve, &tag_url));
        }
        let max = next() % (text.len() + 2);
        assert_safe_markup(&sanitize_remote_html(&text, max));
    }
}

#[test]
fn mentions_may_name_a_port() {
    assert_eq!(
        extract("hi @bob@localhost:3000!").mentions,
        vec![mention("bob", Some("localhost:3000"))]
    );
    assert_eq!(
        extract("@bob@example.org: hello").mentions,
        vec![mention("bob", Some("example.org"))]
    );
    assert_eq!(
        extract("@bob@example.org:123456").mentions,
        vec![mention("bob", Some("example.org"))]
    );
}

#[test]
fn stored_html_reads_as_the_full_parse_would() {
    let remote = [
        "<p>Hello <a href=\"https://x.example/@a\" class=\"u-url mention\">@<span>a</span></a> &amp; welcome</p><p>Second<br>line</p>",
        "<p><a href=\"https://example.org/long/path\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">example.org/lo</span><span class=\"invisible\">ng/path</span></a></p>",
        "<div>a</div><div>b</div><table><tr><td>x</td><td>y</td></tr></table>",
        "<ul><li>one</li><li>two <em>2</em></li></ul><blockquote>q</blockquote><pre>  keep\n   this</pre>",
        "<h1>Title</h1><p>&lt;b&gt; &eacute; &#x1F600; &quot;q&quot;</p><script>alert(1)</script>",
        "<p><span data-mfm-x=\"1\" class=\"mfm-flip\">flipped</span> text<code>a  b</code></p>",
        "plain text with   spaces\nand a newline",
    ];
    let local = [
        plain(
            "Hi @bob@remote.example, look at #Rust\n\nand https://example.org/a/very/long/path/that/gets/shortened/in/display",
        ),
        markdown("# Heading\n\n* item *one*\n* item two\n\n> quoted\n\n```\ncode  block\n```"),
        html("<p>Some <b>bold</b><br>and a break</p>"),
    ];
    for stored in remote.iter().map(|h| sanitize(h)).chain(local) {
        assert_eq!(
            stored_html_to_text(&stored),
            html_to_text(&stored),
            "{stored}"
        );
    }
}
