//! Every search provider's response parser on arbitrary bytes.
#![no_main]

use extract_core::search::{Brave, Codec, DuckDuckGo, Searxng, SerpApi};
use extract_core::Secret;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Searxng::new("http://s").parse(data);
    let _ = SerpApi::new("http://s", Secret::new("k")).parse(data);
    let _ = Brave::new("http://s", Secret::new("k")).parse(data);
    let _ = DuckDuckGo::new("http://s").parse(data);
});
