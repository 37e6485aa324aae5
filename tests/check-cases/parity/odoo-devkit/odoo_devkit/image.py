def values(tag):
    return build_runtime_env_values(
        build_target_override="production",
        image_tag_override=tag,
    )
