//! Handler of the `packing_list` prompt. This file is yours: mcpgen created it once and never touches it again.
//!
//! `get` gets the prompt's `Args` (required arguments are checked before it runs) and returns the
//! prompt's messages: `GetPromptResult::new(vec![PromptMessage::new_text(Role::User, ..)])`.

use crate::climate::MONTHS;
use crate::generated::prelude::*;
use crate::generated::prompts::packing_list::Args;

pub async fn get(ctx: Ctx, args: Args) -> PromptResult {
    let state = ctx.state();
    let city = state
        .city(&args.city)
        .map_err(HandlerError::invalid_params)?;
    let month: usize = match args.month.trim().parse() {
        Ok(month @ 1..=12) => month,
        _ => {
            return Err(HandlerError::invalid_params(format!(
                "month must be a number from 1 to 12, not '{}'",
                args.month
            )));
        }
    };
    let (high, rain) = (
        city.monthly_high_c[month - 1],
        city.monthly_rain_mm[month - 1],
    );

    let mut items = vec!["Passport and travel documents", "Phone charger and adapter"];
    items.extend(match high {
        h if h >= 25.0 => [
            "Light breathable clothes",
            "Sunscreen and sunglasses",
            "Sun hat",
        ],
        h if h >= 15.0 => [
            "T-shirts and a light sweater",
            "Comfortable walking shoes",
            "Sunglasses",
        ],
        h if h >= 5.0 => ["Warm sweater", "Medium jacket", "Closed shoes"],
        _ => ["Insulated coat", "Hat, scarf and gloves", "Thermal layers"],
    });
    if rain >= 60.0 {
        items.extend(["Umbrella", "Waterproof jacket"]);
    }
    let list: String = items.iter().map(|item| format!("- {item}\n")).collect();
    let text = format!(
        "I'm travelling to {} in {}: typical highs around {high:.0} °C and about {rain:.0} mm of rain that month.\n\n\
         Here is a packing list built from those climate normals:\n{list}\nPlease review it and suggest anything I missed.",
        city.name,
        MONTHS[month - 1],
    );
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(
            format!("Packing list for {} in {}", city.name, MONTHS[month - 1]),
        ),
    )
}
