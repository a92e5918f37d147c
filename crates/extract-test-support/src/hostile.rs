//! Hostile spreadsheets, written by hand with the zip writer as an attacker
//! would: two cells a million rows apart in a kilobyte, a sheet that
//! inflates a thousandfold. For the upload tests and the performance suite.

use std::io::Write;

/// A workbook of one sheet whose XML is `sheet_data` inside `<sheetData>`,
/// after `dimension` when given: written by hand with the zip writer, as a
/// hostile client would.
pub fn workbook(dimension: Option<&str>, sheet_data: &mut dyn FnMut(&mut dyn Write)) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#).unwrap();
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#).unwrap();
    zip.start_file("xl/_rels/workbook.xml.rels", options)
        .unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#).unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#).unwrap();
    if let Some(d) = dimension {
        write!(zip, r#"<dimension ref="{d}"/>"#).unwrap();
    }
    zip.write_all(b"<sheetData>").unwrap();
    sheet_data(&mut zip);
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// A cell of inline text at `at`.
pub fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// Two cells far apart: `A1` and `far` (row `far_row`).
pub fn corners(far: &str, far_row: u32, declared: bool) -> Vec<u8> {
    let dimension = format!("A1:{far}");
    workbook(declared.then_some(dimension.as_str()), &mut |w| {
        write!(
            w,
            r#"<row r="1">{}</row><row r="{far_row}">{}</row>"#,
            cell("A1", "Acme"),
            cell(far, "x")
        )
        .unwrap();
    })
}

/// A sheet of `rows` rows of one short cell each (45 bytes of XML a row):
/// 1.6 M rows inflate to about 70 MB from a few hundred kilobytes.
pub fn bomb(rows: usize) -> Vec<u8> {
    workbook(Some("A1:A1"), &mut |w| {
        let row = format!(
            "<row>{}</row>",
            r#"<c t="inlineStr"><is><t>Acme</t></is></c>"#
        );
        for _ in 0..rows {
            w.write_all(row.as_bytes()).unwrap();
        }
    })
}
