    #[mcpgen_runtime::skip_serializing_none]
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Input {
        #[allow(clippy::type_complexity)]
        pub a_property_name_long_enough_to_push_the_field_declaration_past_one_hundred_columns:
            Option<
                Vec<
                    std::collections::BTreeMap<
                        String,
                        std::collections::BTreeMap<
                            String,
                            serde_json::Map<String, serde_json::Value>,
                        >,
                    >,
                >,
            >,
        #[allow(clippy::type_complexity)]
        pub short: Option<
            std::collections::BTreeMap<
                String,
                std::collections::BTreeMap<
                    String,
                    std::collections::BTreeMap<
                        String,
                        Vec<std::collections::BTreeMap<String, String>>,
                    >,
                >,
            >,
        >,
        #[serde(
            rename = "a wire name long enough that the serde rename attribute must be broken over three lines"
        )]
        pub a_wire_name_long_enough_that_the_serde_rename_attribute_must_be_broken_over_three_lines:
            Option<String>,
        #[serde(
            default = "default_input_a_very_long_enumeration_property_name_that_becomes_a_long_type_name"
        )]
        pub a_very_long_enumeration_property_name_that_becomes_a_long_type_name:
            AVeryLongEnumerationPropertyNameThatBecomesALongTypeName,
    }

    fn default_input_a_very_long_enumeration_property_name_that_becomes_a_long_type_name()
    -> AVeryLongEnumerationPropertyNameThatBecomesALongTypeName {
        AVeryLongEnumerationPropertyNameThatBecomesALongTypeName::AValueLongEnoughThatTheSerdeRenameAttributeOnItsVariantMustBeBrokenUp
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[allow(clippy::enum_variant_names)]
    pub enum AVeryLongEnumerationPropertyNameThatBecomesALongTypeName {
        #[serde(
            rename = "a value long enough that the serde rename attribute on its variant must be broken up"
        )]
        AValueLongEnoughThatTheSerdeRenameAttributeOnItsVariantMustBeBrokenUp,
    }
