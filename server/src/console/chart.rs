//! Charts of the figures page, drawn on the server as SVG with `plotters`.

use plotters::prelude::*;

/// A bar chart of department scores (out of 20).
pub fn scores(bars: &[(String, f64)], caption: &str) -> String {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (720, 320)).into_drawing_area();
        let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            area.fill(&WHITE)?;
            let n = bars.len().max(1) as u32;
            let mut chart = ChartBuilder::on(&area)
                .caption(caption, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(36)
                .build_cartesian_2d((0u32..n - 1).into_segmented(), 0f64..20f64)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_label_formatter(&|x| match x {
                    SegmentValue::CenterOf(i) => bars
                        .get(*i as usize)
                        .map(|b| b.0.clone())
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .draw()?;
            chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let i = i as u32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    RGBColor(32, 96, 160).filled(),
                );
                bar.set_margin(0, 0, 8, 8);
                bar
            }))?;
            area.present()?;
            Ok(())
        })();
        if let Err(e) = drawn {
            tracing::warn!(error = %e, "the score chart could not be drawn");
        }
    }
    svg
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_chart_is_an_svg_with_one_bar_per_department() {
        let svg = super::scores(&[("城管".into(), 18.5), ("住建".into(), 12.0)], "得分");
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
        assert!(svg.contains("城管") && svg.contains("得分"));
        assert!(svg.matches("<rect").count() >= 2);
    }
}
