set ip_vlnv "@{ip_vlnv}"
set ip_repo "@{axi_top}_prj/solution1/impl/ip"
set_property ip_repo_paths [list $ip_repo] [current_project]
update_ip_catalog
