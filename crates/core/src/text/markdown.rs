//! Markdown posts: CommonMark with strikethrough, rendered to HTML that the sanitiser then
//! reads like any other untrusted HTML.
//!
//! Raw HTML in the source is shown as the text it is (an author writing `<b>` in Markdown
//! means the characters), images become links (posts carry images as attachments), and a single
//! newline is a line break, as in every microblogging composer.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The HTML of a Markdown post, before sanitising.
pub(crate) fn to_html(source: &str) -> String {
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH);
    let mut events: Vec<Event<'_>> = Vec::new();
    for event in parser {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => push_lines(&mut events, html),
            // Written without the newline `push_html` adds after its `<br />`, which would
            // reach the post as a stray text node.
            Event::SoftBreak | Event::HardBreak => events.push(line_break()),
            // A block of raw HTML is shown as a paragraph of its text.
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => events.push(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })),
            Event::End(TagEnd::Image) => events.push(Event::End(TagEnd::Link)),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Raw HTML as escaped text, its line breaks kept.
fn push_lines<'a>(events: &mut Vec<Event<'a>>, html: CowStr<'a>) {
    let text = html.trim_end_matches('\n');
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            events.push(line_break());
        }
        events.push(Event::Text(CowStr::from(line.to_owned())));
    }
}

/// Our own markup, the only raw HTML that reaches the renderer.
fn line_break() -> Event<'static> {
    Event::InlineHtml(CowStr::Borrowed("<br>"))
}
