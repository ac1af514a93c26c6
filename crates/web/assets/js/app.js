// Rhizome's own script: every page works without it; with it, pages ask before destructive
// actions, and the web client sends its forms in the background, shows new posts as they
// come and loads older ones as the reader reaches the end. No framework, no build step, no
// inline script (the pages' Content-Security-Policy allows this file only).
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.classList.contains("js-confirm")) {
    if (!window.confirm(form.dataset.confirm || "?")) {
      event.preventDefault();
    }
  }
});

// ---------------------------------------------------------------------------------------
// The web client.
(() => {
  /** Says `key` (a `data-` message of the live region) to screen readers, politely. */
  function announce(key, count) {
    const region = document.getElementById("client-live");
    if (!region) {
      return;
    }
    let text = region.dataset[key] || "";
    if (count !== undefined) {
      text = text.replace("{count}", String(count));
    }
    // Emptied first, so that the same message twice is read twice.
    region.textContent = "";
    window.setTimeout(() => {
      region.textContent = text;
    }, 100);
  }

  /** The elements of an HTML fragment from our server (no script runs from it). */
  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  /** Sends a form in the background; the server answers with HTML instead of a redirect. */
  function send(form, body) {
    return fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
  }

  /** The page's own address, for the `return_to` of posts brought in from elsewhere. */
  function here() {
    return window.location.pathname + window.location.search;
  }

  function adopt(element) {
    for (const input of element.querySelectorAll("input[name=return_to]")) {
      input.value = here();
    }
    return element;
  }

  function insertFirst(container, post) {
    for (const empty of container.querySelectorAll(":scope > .empty")) {
      empty.remove();
    }
    container.prepend(adopt(post));
  }

  // (1) Favourite, boost, bookmark, react: the post is replaced by its new state.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("js-action")) {
      return;
    }
    const post = form.closest("article.status");
    if (event.defaultPrevented || !post) {
      return;
    }
    event.preventDefault();
    const index = Array.from(post.querySelectorAll("form.js-action")).indexOf(form);
    form.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await send(form, new URLSearchParams(new FormData(form)));
    } catch (error) {
      form.removeAttribute("aria-busy");
      announce("failed");
      return;
    }
    if (!response.ok) {
      // The server said why: show its page, as without the script.
      form.submit();
      return;
    }
    const replacement = fragment(await response.text()).querySelector("article.status");
    if (!replacement) {
      post.remove();
      return;
    }
    post.replaceWith(adopt(replacement));
    // Keyboard users stay where they were: on the same control of the new version.
    const again = replacement.querySelectorAll("form.js-action")[index];
    const button = again && again.querySelector("button[type=submit]");
    if (button) {
      button.focus();
    }
  });

  // (2) The compose form of a timeline: posted without leaving the page.
  const composed = document.querySelector("form.js-compose");
  const blank = composed && !composed.querySelector(".form-error") ? composed.cloneNode(true) : null;
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("js-compose")) {
      return;
    }
    const timeline = document.querySelector("[data-timeline][data-stream]");
    if (event.defaultPrevented || !timeline) {
      // Elsewhere (a reply's own page) the form goes on to the new post's thread.
      return;
    }
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    form.setAttribute("aria-busy", "true");
    if (button) {
      button.disabled = true;
    }
    let response;
    try {
      response = await send(form, new FormData(form));
    } catch (error) {
      announce("failed");
      form.removeAttribute("aria-busy");
      if (button) {
        button.disabled = false;
      }
      return;
    }
    const html = await response.text();
    if (response.ok) {
      const post = fragment(html).querySelector("article.status");
      if (post && !document.getElementById(post.id)) {
        insertFirst(timeline, post);
      }
      const fresh = blank ? blank.cloneNode(true) : null;
      if (fresh) {
        form.replaceWith(fresh);
      } else {
        form.reset();
      }
      const text = (fresh || form).querySelector("textarea[name=status]");
      if (text) {
        text.focus();
      }
      announce("posted");
      return;
    }
    const again = response.status === 422 ? fragment(html).querySelector("form.js-compose") : null;
    if (!again) {
      form.submit();
      return;
    }
    // Not posted: the form comes back with its uploads and says what is missing.
    form.replaceWith(again);
    const problem = again.querySelector(".form-error");
    if (problem) {
      problem.focus();
    }
  });

  // (3) Live updates: new posts at the top, announced without moving the focus.
  const streamed = document.querySelector("[data-timeline][data-stream]");
  if (streamed && "EventSource" in window) {
    const source = new EventSource("/web/stream/" + encodeURIComponent(streamed.dataset.stream));
    const title = document.title;
    let arrived = 0;
    let timer = 0;
    source.addEventListener("status", (event) => {
      const post = fragment(event.data).querySelector("article.status");
      if (!post || document.getElementById(post.id)) {
        return;
      }
      insertFirst(streamed, post);
      arrived += 1;
      // Several posts at once are announced together.
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        announce(arrived === 1 ? "newOne" : "newMany", arrived);
        arrived = 0;
      }, 1500);
    });
    source.addEventListener("update", (event) => {
      const post = fragment(event.data).querySelector("article.status");
      const old = post && document.getElementById(post.id);
      if (old && !old.contains(document.activeElement)) {
        old.replaceWith(adopt(post));
      }
    });
    source.addEventListener("delete", (event) => {
      const old = document.getElementById("status-" + event.data);
      if (old && !old.contains(document.activeElement)) {
        old.remove();
      }
    });
    source.addEventListener("notification", (event) => {
      const count = Number.parseInt(event.data, 10) || 0;
      document.title = count > 0 ? "(" + count + ") " + title : title;
      if (count > 0) {
        announce("notifications", count);
      }
    });
  }

  // (4) Older posts load as the reader reaches the end; the link stays for everyone else.
  const list = document.querySelector("[data-timeline]");
  const first = document.querySelector(".pagination a[rel=next]");
  if (list && first && "IntersectionObserver" in window) {
    let loading = false;
    const observer = new IntersectionObserver(async (entries) => {
      const link = document.querySelector(".pagination a[rel=next]");
      if (loading || !link || !entries.some((entry) => entry.isIntersecting)) {
        return;
      }
      loading = true;
      try {
        const response = await fetch(link.href, { credentials: "same-origin" });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const more = page.querySelector("[data-timeline]");
        for (const item of more ? Array.from(more.children) : []) {
          if (item.classList.contains("empty") || (item.id && document.getElementById(item.id))) {
            continue;
          }
          list.append(adopt(document.adoptNode(item)));
        }
        const after = page.querySelector(".pagination a[rel=next]");
        if (after) {
          link.href = after.getAttribute("href");
          // Observed anew: if the link is still in sight, the next page comes too.
          observer.unobserve(link);
          observer.observe(link);
        } else {
          observer.disconnect();
          link.closest(".pagination").remove();
        }
        announce("loaded");
      } catch (error) {
        // The link still works by hand.
        observer.disconnect();
      } finally {
        loading = false;
      }
    }, { rootMargin: "600px 0px" });
    observer.observe(first);
  }
})();
