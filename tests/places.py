"""Named places for tests, as shapely does with its tests/common.py.

Coordinates are (longitude, latitude) in EPSG:4326, taken from the shipped reference layers.
"""

# Habitation "Bichhiwara" (block Bichhiwara); CHC Bichhiwara is here.
BICHHIWARA = (73.521514, 23.784819)
# A point near Dungarpur town, well inside the district.
NEAR_DUNGARPUR_TOWN = (73.71, 23.84)
# Habitation "Aasan Tekari" (block Aspur).
AASAN_TEKARI_NAME = "Aasan Tekari"
# Jaipur: in Rajasthan, far outside Dungarpur.
JAIPUR = (75.79, 26.91)
# Udaipur city: just north-west of Dungarpur, outside it.
UDAIPUR = (73.71, 24.58)
