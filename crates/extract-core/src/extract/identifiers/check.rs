//! Check digits of the identifier schemes that have them. An identifier
//! that fails its scheme's check is a typo or not an identifier at all, and
//! is never emitted.

/// Whether `vat` (upper case, no separators, with its country prefix)
/// passes its country's check; `None` when the country's scheme is not
/// checked here (its format alone was matched).
pub(crate) fn vat(vat: &str) -> Option<bool> {
    let (cc, rest) = vat.split_at_checked(2)?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    Some(match cc {
        "DE" => rest.len() == 9 && digits(rest) && mod11_10(rest),
        "AT" => {
            let d = rest.strip_prefix('U')?;
            d.len() == 8 && digits(d) && austria(d)
        }
        "IT" => rest.len() == 11 && digits(rest) && luhn(rest),
        "FR" => rest.len() == 11 && france(rest),
        "NL" => netherlands(rest),
        "ES" => rest.len() == 9 && spain(rest),
        "BE" => {
            let d = if rest.len() == 9 {
                format!("0{rest}")
            } else {
                rest.to_owned()
            };
            d.len() == 10 && digits(&d) && belgium(&d)
        }
        "GB" => rest.len() == 9 && digits(rest) && britain(rest),
        "DK" => rest.len() == 8 && digits(rest) && denmark(rest),
        "SE" => rest.len() == 12 && digits(rest) && rest.ends_with("01") && luhn(&rest[..10]),
        _ => return None,
    })
}

/// ISO 7064 MOD 11,10 (German USt-IdNr.).
fn mod11_10(d: &str) -> bool {
    let v: Vec<u32> = d.bytes().map(|b| u32::from(b - b'0')).collect();
    let mut product = 10;
    for &x in &v[..v.len() - 1] {
        let mut sum = (x + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    let check = (11 - product) % 10;
    check == v[v.len() - 1]
}

/// The Luhn check over all of `d` (Italian P.IVA, SIREN, SIRET, Swedish
/// organisation numbers).
pub(crate) fn luhn(d: &str) -> bool {
    let mut sum = 0;
    for (i, b) in d.bytes().rev().enumerate() {
        let mut x = u32::from(b - b'0');
        if i % 2 == 1 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        sum += x;
    }
    !d.is_empty() && sum % 10 == 0
}

fn austria(d: &str) -> bool {
    let v: Vec<u32> = d.bytes().map(|b| u32::from(b - b'0')).collect();
    let mut s = 0;
    for (i, &x) in v[..7].iter().enumerate() {
        let p = if i % 2 == 1 { x * 2 } else { x };
        s += p / 10 + p % 10;
    }
    (10 - (s + 4) % 10) % 10 == v[7]
}

/// `FR` + a two-digit key + the SIREN: key = (12 + 3 × (SIREN mod 97)) mod 97.
fn france(rest: &str) -> bool {
    let (key, siren) = rest.split_at(2);
    if !siren.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match key.parse::<u64>() {
        Ok(k) => siren
            .parse::<u64>()
            .is_ok_and(|s| (12 + 3 * (s % 97)) % 97 == k),
        // Letter keys (older numbers) have no published arithmetic.
        Err(_) => key.bytes().all(|b| b.is_ascii_alphanumeric()),
    }
}

/// `NL` + nine digits + `B` + two digits: the 2020 mod 97 check of the whole
/// number, or the older 11-check of the nine digits.
fn netherlands(rest: &str) -> bool {
    if rest.len() != 12 || rest.as_bytes()[9] != b'B' {
        return false;
    }
    let nine = &rest[..9];
    if !nine.bytes().all(|b| b.is_ascii_digit()) || !rest[10..].bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    // Weights 9 … 2 on the first eight digits, −1 on the ninth.
    let eleven: i64 = nine
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = i64::from(b - b'0');
            if i == 8 {
                -d
            } else {
                d * (9 - i as i64)
            }
        })
        .sum();
    let old = eleven.rem_euclid(11) == 0;
    old || mod97(&format!("NL{rest}"))
}

/// ISO 7064 MOD 97-10 over letters (A = 10 … Z = 35) and digits: remainder 1.
pub(crate) fn mod97(s: &str) -> bool {
    let mut r: u64 = 0;
    for c in s.chars() {
        let v = match c.to_digit(36) {
            Some(v) => v as u64,
            None => return false,
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r == 1
}

/// Spanish NIF (DNI, NIE) and CIF.
fn spain(v: &str) -> bool {
    const LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let b = v.as_bytes();
    let first = b[0];
    let last = b[8];
    let mid = &v[1..8];
    if !mid.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    if first.is_ascii_digit() || matches!(first, b'X' | b'Y' | b'Z') {
        // DNI: eight digits and a letter; NIE: X/Y/Z for 0/1/2.
        let lead = match first {
            b'X' => '0',
            b'Y' => '1',
            b'Z' => '2',
            d => d as char,
        };
        let n: u64 = match format!("{lead}{mid}").parse() {
            Ok(n) => n,
            Err(_) => return false,
        };
        return LETTERS[(n % 23) as usize] == last;
    }
    // CIF: a letter, seven digits, a digit or letter of control.
    let mut sum = 0;
    for (i, c) in mid.bytes().enumerate() {
        let x = u32::from(c - b'0');
        if i % 2 == 0 {
            let p = x * 2;
            sum += p / 10 + p % 10;
        } else {
            sum += x;
        }
    }
    let control = (10 - sum % 10) % 10;
    last == b'0' + control as u8 || last == b"JABCDEFGHI"[control as usize]
}

fn belgium(d: &str) -> bool {
    let (body, check) = d.split_at(8);
    match (body.parse::<u64>(), check.parse::<u64>()) {
        (Ok(b), Ok(c)) => 97 - b % 97 == c,
        _ => false,
    }
}

fn britain(d: &str) -> bool {
    let v: Vec<i64> = d.bytes().map(|b| i64::from(b - b'0')).collect();
    let s: i64 = v[..7]
        .iter()
        .enumerate()
        .map(|(i, x)| x * (8 - i as i64))
        .sum::<i64>()
        + v[7] * 10
        + v[8];
    s % 97 == 0 || (s + 55) % 97 == 0
}

fn denmark(d: &str) -> bool {
    const W: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];
    d.bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum::<u32>()
        % 11
        == 0
}

/// Swiss UID (`CHE` + nine digits): weights 5 4 3 2 7 6 5 4, check 11 − sum mod 11.
pub(crate) fn swiss(d: &str) -> bool {
    const W: [u32; 8] = [5, 4, 3, 2, 7, 6, 5, 4];
    if d.len() != 9 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let s: u32 = d.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let c = (11 - s % 11) % 11;
    c != 10 && c == u32::from(d.as_bytes()[8] - b'0')
}

/// Brazilian CNPJ: two check digits, mod 11.
pub(crate) fn cnpj(d: &str) -> bool {
    if d.len() != 14 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let v: Vec<u32> = d.bytes().map(|b| u32::from(b - b'0')).collect();
    let digit = |n: usize| {
        let weights: Vec<u32> = (2..=9).cycle().take(n).collect();
        let s: u32 = v[..n].iter().rev().zip(weights).map(|(x, w)| x * w).sum();
        let r = s % 11;
        if r < 2 {
            0
        } else {
            11 - r
        }
    };
    digit(12) == v[12] && digit(13) == v[13]
}

/// Australian ABN: first digit less one, weights 10 1 3 5 … 19, mod 89.
pub(crate) fn abn(d: &str) -> bool {
    const W: [u32; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    if d.len() != 11 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut v: Vec<u32> = d.bytes().map(|b| u32::from(b - b'0')).collect();
    if v[0] == 0 {
        return false;
    }
    v[0] -= 1;
    v.iter().zip(W).map(|(x, w)| x * w).sum::<u32>() % 89 == 0
}

/// LEI (ISO 17442): twenty characters, MOD 97-10 remainder 1.
pub(crate) fn lei(s: &str) -> bool {
    s.len() == 20 && s.bytes().all(|b| b.is_ascii_alphanumeric()) && mod97(s)
}

/// Danish CVR numbers share the VAT check.
pub(crate) fn cvr(d: &str) -> bool {
    d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) && denmark(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_numbers_pass_and_one_digit_off_fails() {
        // Numbers published by their registries as examples or by public
        // bodies in their own legal notices; then each with its last digit
        // changed.
        for (good, bad) in [
            ("DE136695976", "DE136695977"),
            ("ATU13585627", "ATU13585628"),
            ("IT00743110157", "IT00743110158"),
            ("FR40303265045", "FR41303265045"),
            ("NL004495445B01", "NL004495446B01"),
            ("ESA28015865", "ESA28015866"),
            ("ES12345678Z", "ES12345678A"),
            ("BE0403170701", "BE0403170702"),
            ("GB980780684", "GB980780685"),
            ("DK13585628", "DK13585629"),
            ("SE556703748501", "SE556703748601"),
        ] {
            assert_eq!(vat(good), Some(true), "{good}");
            assert_eq!(vat(bad), Some(false), "{bad}");
        }
        assert_eq!(vat("PL5260001246"), None, "not checked here");
        assert!(luhn("732829320"), "a SIREN");
        assert!(!luhn("732829321"));
        assert!(lei("5493001KJTIIGC8Y1R12"));
        assert!(!lei("5493001KJTIIGC8Y1R13"));
        assert!(swiss("116281710"));
        assert!(!swiss("116281711"));
        assert!(cnpj("11222333000181"));
        assert!(!cnpj("11222333000182"));
        assert!(abn("51824753556"));
        assert!(!abn("51824753557"));
    }
}
