//! HTTP dates and the replay window.

use http::{Method, Uri};

use super::super::{
    ParsedSignature, SignatureError, check_date, check_date_header, format_http_date,
    parse_http_date, sign_request,
};
use super::{NOW, NOW_HTTP, at, header_map, now, rsa_key};

#[test]
fn formats_and_parses_http_dates() {
    assert_eq!(format_http_date(now()), NOW_HTTP);
    assert_eq!(format_http_date(at(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(parse_http_date(NOW_HTTP).unwrap(), now());
    // The two obsolete forms RFC 9110 still requires recipients to accept.
    assert_eq!(
        parse_http_date("Wednesday, 18-Nov-26 11:06:40 GMT").unwrap(),
        now()
    );
    assert_eq!(parse_http_date("Wed Nov 18 11:06:40 2026").unwrap(), now());
    for bad in [
        "",
        "yesterday",
        "2026-11-18T11:06:40Z",
        "Wed, 18 Nov 2026 25:06:40 GMT",
    ] {
        assert!(
            matches!(parse_http_date(bad), Err(SignatureError::Malformed { .. })),
            "{bad}"
        );
    }
}

#[test]
fn window_is_twelve_hours_back_and_one_hour_ahead() {
    check_date(now(), now()).unwrap();
    check_date(at(NOW - 12 * 3600), now()).unwrap();
    assert_eq!(
        check_date(at(NOW - 12 * 3600 - 1), now()),
        Err(SignatureError::DateTooOld {
            age_seconds: 12 * 3600 + 1
        })
    );
    check_date(at(NOW + 3600), now()).unwrap();
    assert_eq!(
        check_date(at(NOW + 3601), now()),
        Err(SignatureError::DateInFuture {
            ahead_seconds: 3601
        })
    );
}

#[test]
fn date_header_check() {
    check_date_header(&header_map(&[("date", NOW_HTTP)]), now()).unwrap();
    assert_eq!(
        check_date_header(&header_map(&[]), now()),
        Err(SignatureError::MissingHeader("date".into()))
    );
    assert!(matches!(
        check_date_header(&header_map(&[("date", "soon")]), now()),
        Err(SignatureError::Malformed { .. })
    ));
    assert!(matches!(
        check_date_header(
            &header_map(&[("date", NOW_HTTP), ("date", NOW_HTTP)]),
            now()
        ),
        Err(SignatureError::Malformed { .. })
    ));
    assert!(matches!(
        check_date_header(&header_map(&[("date", NOW_HTTP)]), at(NOW + 13 * 3600)),
        Err(SignatureError::DateTooOld { .. })
    ));
}

#[test]
fn signed_requests_expire_and_cannot_come_from_the_future() {
    let uri: Uri = "https://remote.example/users/bob".parse().unwrap();
    let mut headers = header_map(&[]);
    sign_request(
        &Method::GET,
        &uri,
        &mut headers,
        None,
        "k",
        &rsa_key().private,
        now(),
    )
    .unwrap();
    let parsed = ParsedSignature::from_request(&Method::GET, &uri, &headers).unwrap();
    parsed.check_time(now()).unwrap();
    assert_eq!(
        parsed.check_time(at(NOW + 13 * 3600)),
        Err(SignatureError::DateTooOld {
            age_seconds: 13 * 3600
        })
    );
    assert_eq!(
        parsed.check_time(at(NOW - 2 * 3600)),
        Err(SignatureError::DateInFuture {
            ahead_seconds: 2 * 3600
        })
    );
}
